"""What the fake X answers on each endpoint the bot uses, and its error bodies.

Success answers follow the spec (the server checks them against it). Error answers copy
what X really sends, which its spec does not describe: problem documents with
``"type": "about:blank"`` for 401/403/429/5xx and a ``CreditsDepleted`` title for 402.
"""

from __future__ import annotations

import email.parser
import email.policy
import re
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

from twitter_text import parse_tweet

from tests.fakes.fake_x_state import USER, StoredPost, XState

Answer = tuple[int, dict[str, str], dict[str, Any] | None]

MAX_IMAGE_BYTES = 5 * 1024 * 1024
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def problem(
    status: int, title: str, detail: str, type_: str = "about:blank", **extra: Any
) -> Answer:
    body = {"title": title, "detail": detail, "type": type_, "status": status, **extra}
    return status, {"Content-Type": "application/problem+json"}, body


def invalid(message: str) -> Answer:
    return problem(
        400,
        "Invalid Request",
        "One or more parameters to your request was invalid.",
        "https://api.twitter.com/2/problems/invalid-request",
        errors=[{"message": message}],
    )


FAULT_ANSWERS: dict[str, Answer] = {
    "401": problem(401, "Unauthorized", "Unauthorized"),
    "402": problem(
        402,
        "CreditsDepleted",
        f"Your enrolled account [{USER['id']}] does not have any credits to fulfill this request.",
        "https://api.twitter.com/2/problems/credits",
        account_id=int(USER["id"]),
    ),
    "403_duplicate": problem(
        403, "Forbidden", "You are not allowed to create a Tweet with duplicate content."
    ),
    "403_forbidden": problem(403, "Forbidden", "You are not permitted to perform this action."),
    "403_oauth1_permissions": problem(
        403,
        "Forbidden",
        "Your client app is not configured with the appropriate oauth1 app permissions "
        "for this endpoint.",
        "https://api.twitter.com/2/problems/oauth1-permissions",
    ),
    "429": problem(429, "Too Many Requests", "Too Many Requests"),
    "500": problem(500, "Internal Server Error", "Internal Server Error"),
    "503": problem(503, "Service Unavailable", "Service Unavailable"),
}


def create_post(
    state: XState, body: dict[str, Any], now: float
) -> tuple[Answer, StoredPost | None]:
    text = str(body.get("text", ""))
    media_ids = [str(m) for m in (body.get("media") or {}).get("media_ids", [])]
    if not text.strip() and not media_ids:
        return invalid("text or media is required"), None
    if parse_tweet(text).weightedLength > 280:
        return invalid("Your Tweet text is too long."), None
    missing = [m for m in media_ids if m not in state.media]
    if missing:
        return invalid(f"Your media IDs are invalid: {', '.join(missing)}"), None
    limits = state.user_limit(now)
    if int(limits["x-user-limit-24hour-remaining"]) <= 0:
        status, headers, payload = FAULT_ANSWERS["429"]
        return (status, {**headers, **limits}, payload), None
    if state.duplicate_of(text) is not None:
        return FAULT_ANSWERS["403_duplicate"], None
    post = state.store_post(text, media_ids, now)
    headers = state.user_limit(now)
    data = {"id": post.id, "text": post.shown, "edit_history_post_ids": [post.id]}
    return (201, headers, {"data": data}), post


def delete_post(state: XState, post_id: str) -> Answer:
    post = state.find(post_id)
    if post is None or post.deleted:
        return problem(
            404,
            "Not Found Error",
            f"Could not find tweet with id: [{post_id}].",
            "https://api.x.com/2/problems/resource-not-found",
            resource_type="tweet",
            resource_id=post_id,
            parameter="id",
            value=post_id,
        )
    state.delete(post_id)
    return 200, {}, {"data": {"deleted": True}}


def me(state: XState) -> Answer:
    # an empty access level means "send no x-access-level header"
    headers = {"x-access-level": state.access_level} if state.access_level else {}
    return 200, headers, {"data": dict(USER)}


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _keep(post: StoredPost, args: dict[str, str]) -> bool:
    created = _when(post.created_at)
    if "start_time" in args and created < _when(args["start_time"]):
        return False
    if "end_time" in args and created > _when(args["end_time"]):
        return False
    if "since_id" in args and int(post.id) <= int(args["since_id"]):
        return False
    return not ("until_id" in args and int(post.id) >= int(args["until_id"]))


def timeline(state: XState, user_id: str, query: str) -> Answer:
    args = {key: values[-1] for key, values in parse_qs(query).items()}
    posts = [] if user_id != USER["id"] else state.live_posts()
    posts = sorted((p for p in posts if _keep(p, args)), key=lambda p: int(p.id), reverse=True)
    size = int(args.get("max_results", 10))
    offset = int(args.get("pagination_token", "p0")[1:] or 0)
    page = posts[offset : offset + size]
    meta: dict[str, Any] = {"result_count": len(page)}
    if page:
        meta.update(newest_id=page[0].id, oldest_id=page[-1].id)
    if offset + size < len(posts):
        meta["next_token"] = f"p{offset + size}"
    body: dict[str, Any] = {"meta": meta}
    if page:
        body["data"] = [
            {"id": p.id, "text": p.shown, "edit_history_post_ids": [p.id]} for p in page
        ]
    return 200, {}, body


def multipart_fields(content_type: str, body: bytes) -> dict[str, tuple[bytes, str | None]]:
    """name → (bytes, declared content type) of a multipart/form-data body."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    fields: dict[str, tuple[bytes, str | None]] = {}
    for part in message.iter_parts():
        disposition = str(part.get("Content-Disposition", ""))
        match = re.search(r'name="([^"]*)"', disposition)
        if match:
            payload = part.get_payload(decode=True)
            payload = payload if isinstance(payload, bytes) else b""
            declared = part.get("Content-Type")
            fields[match.group(1)] = (payload, str(declared) if declared else None)
    return fields


def upload(state: XState, content_type: str, body: bytes) -> Answer:
    if not content_type.startswith("multipart/form-data"):
        return invalid("the fake takes media as multipart/form-data, as the bot sends it")
    fields = multipart_fields(content_type, body)
    data, _declared = fields.get("media", (b"", None))
    category = fields.get("media_category", (b"", None))[0].decode()
    if category != "tweet_image":
        return invalid(f"media_category {category!r}: a post's image is tweet_image")
    kind = next((mime for magic, mime in _MAGIC if data.startswith(magic)), None)
    if kind is None:
        return invalid("media is not a PNG, JPEG or GIF image")
    if len(data) > MAX_IMAGE_BYTES:
        return invalid(f"media is {len(data)} bytes, over the {MAX_IMAGE_BYTES}-byte limit")
    media_id = state.store_media({"type": kind, "size": len(data)})
    payload = {
        "id": media_id,
        "media_key": f"3_{media_id}",
        "size": len(data),
        "expires_after_secs": 86400,
        "image": {"image_type": kind},
    }
    return 200, {}, {"data": payload}
