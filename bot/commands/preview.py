"""preview SOURCE: render drafts without storing or sending anything."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.channels.registry import FORMATS, NAMES, max_hashtags
from bot.commands.common import print_jsonl, settings_and_logging
from bot.errors import UsageError


def _preview(args: argparse.Namespace) -> int:
    from bot.editorial.compose import Editor, load_hashtag_map
    from bot.egress import EgressPolicy
    from bot.egress_transport import content_client
    from bot.sources.articles import articles_from_source
    from bot.sources.fetch import FetchError

    s = settings_and_logging()
    channels = [args.channel] if args.channel else list(s.channels)
    editor = Editor(
        FORMATS,
        max_hashtags=max_hashtags(s),
        hashtag_map=load_hashtag_map(s.hashtags_file),
        templates_dir=s.templates_dir,
    )
    policy = EgressPolicy.from_allow(s.fetch_allow)
    with content_client(policy, timeout=s.fetch_timeout, user_agent=s.user_agent) as client:
        try:
            articles = articles_from_source(args.source, client, s.fetch_pages, s.max_page_bytes)
        except FetchError as exc:
            print(f"newsbot: {exc}", file=sys.stderr)
            return 1
        if not articles:
            raise UsageError(f"{args.source}: no article found")
        drafts = [editor.draft(article, channels) for article in articles]
    if args.json:
        print_jsonl(d.to_json() for d in drafts)
        return 0
    for draft in drafts:
        print(f"# {draft.article.title}")
        quote = draft.key_quote
        print(
            f"key quote: {quote.text!r} — {quote.speaker or 'unattributed'}"
            if quote
            else "key quote: none"
        )
        for post in draft.posts:
            flag = "fits" if post.fits else "TOO LONG"
            print(f"\n[{post.channel}] {post.length}/{post.limit} {flag}\n{post.text}")
        print()
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser(
        "preview",
        help="render drafts for an article URL, HTML file, text file or feed",
        description="Render drafts without storing or sending anything.",
    )
    p.add_argument("source", help="article URL, HTML file, plain-text file or feed")
    p.add_argument("--channel", choices=NAMES)
    p.add_argument("--json", action="store_true", help="JSON Lines, one article per line")
    p.set_defaults(handler=_preview)
