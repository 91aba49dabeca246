"""The seed article through the real entry points, as `newsbot preview --json` runs them."""

from __future__ import annotations

import json

from bot.channels.registry import FORMATS
from bot.editorial.compose import Editor
from bot.editorial.text import squash
from bot.http import make_client
from bot.sources.articles import articles_from_source
from tests.paths import FIXTURES, SEED


def test_seed_preview_line() -> None:
    with make_client() as client:
        (article,) = articles_from_source(str(SEED), client, "never", 1_000_000)
    draft = Editor(FORMATS, {"x": 2, "whatsapp": 3}).draft(article, ["x", "whatsapp"])
    line = json.loads(json.dumps(draft.to_json()))
    assert line["article"]["title"] == "India-Japan Ties Steady; Upgrade Around The Corner?"
    labels = next(
        a
        for a in json.loads((FIXTURES / "labels.json").read_text())
        if a["file"].endswith("seed/article.txt")
    )
    texts = {q["text"] for q in labels["quotes"]}
    assert line["key_quote"]["text"] in texts
    assert line["key_quote"]["speaker"] == "a senior Japanese diplomat"
    assert squash(line["key_quote"]["text"]) in squash(SEED.read_text(encoding="utf-8"))
    assert [p["channel"] for p in line["posts"]] == ["x", "whatsapp"]
    assert all(p["fits"] for p in line["posts"])
    assert "WhatsApp Channel" not in json.dumps(line, ensure_ascii=False)
    for post in line["posts"]:
        assert article.url in post["text"]


def test_seed_posts_carry_india_and_japan() -> None:
    with make_client() as client:
        (article,) = articles_from_source(str(SEED), client, "never", 1_000_000)
    draft = Editor(FORMATS, {"x": 2, "whatsapp": 3}).draft(article, ["x", "whatsapp"])
    assert set(draft.hashtags[:2]) == {"#India", "#Japan"}
    for post in draft.posts:
        assert "#India" in post.text and "#Japan" in post.text
        assert not {"#Ties", "#Upgrade", "#News"} & set(post.hashtags)
