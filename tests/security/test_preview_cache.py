"""The remembered previews (and lengths) are bounded by bytes, not entries: a viewer sending
the largest texts /posts/ID/measure accepts cannot grow the server's memory past them."""

from __future__ import annotations

import gc
import tracemalloc

from bot.runtime import Runtime
from bot.web.lengths import length
from bot.web.preview import post_html
from tests.browser.webapp import make_client, make_user, seed_drafts, sign_in

MiB = 1024 * 1024
#: the documented budgets (docs/security.md)
PREVIEW_BUDGET = 16 * MiB
LENGTH_BUDGET = 8 * MiB


def big_text(n: int) -> str:
    """20,000 characters (the most an edit takes), four bytes each, half of them links:
    the largest preview a caller can ask for."""
    unit = f"*😀{n}* https://😀.example/{n}😀 "
    return (unit * (20_000 // len(unit) + 1))[:20_000]


def test_previews_stay_within_their_byte_budget_least_recent_out_first() -> None:
    post_html.cache_clear()  # type: ignore[attr-defined]
    first = post_html("whatsapp", big_text(0))
    for n in range(1, 120):
        post_html("whatsapp", big_text(n))
        post_html("whatsapp", big_text(0))  # kept in use: never the one evicted
    cache = post_html.cache  # type: ignore[attr-defined]
    assert 0 < cache.bytes <= PREVIEW_BUDGET
    assert len(cache) < 120  # some were dropped
    assert post_html("whatsapp", big_text(0)) is first  # still remembered
    kept, _ = cache.get((("whatsapp", big_text(1)), ()))
    assert not kept  # the least recently used went first


def test_a_viewer_cannot_grow_the_server_by_measuring_large_texts(runtime: Runtime) -> None:
    make_user(runtime, "vi", "viewer")
    post_id = seed_drafts(runtime, 1, channels=("whatsapp",))[0]
    client = make_client(runtime)
    csrf = sign_in(client, "vi")
    post_html.cache_clear()  # type: ignore[attr-defined]
    length.cache_clear()  # type: ignore[attr-defined]
    client.post(
        f"/posts/{post_id}/measure", json={"text": "warm up"}, headers={"X-CSRF-Token": csrf}
    )
    gc.collect()
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        for n in range(150):
            answer = client.post(
                f"/posts/{post_id}/measure",
                json={"text": big_text(n)},
                headers={"X-CSRF-Token": csrf},
            )
            assert answer.status_code == 200
        gc.collect()
        after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    kept = after - before
    print(f"\n150 previews of 20,000 characters: {kept / MiB:.1f} MiB kept")
    assert kept < PREVIEW_BUDGET + LENGTH_BUDGET + 4 * MiB
