"""What ``newsbot check`` says about a WAHA gateway: plain decisions over what it answered."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

ADMIN_ROLES = ("OWNER", "ADMIN")

_FIX = {
    "SCAN_QR_CODE": "link the number: open the gateway's dashboard (or GET /api/{session}/auth/qr) "
    "and scan the QR code from WhatsApp > Linked devices",
    "STARTING": "the session is starting; check again in a minute",
    "STOPPED": "start it from the gateway's dashboard or with POST /api/sessions/{session}/start",
    "FAILED": "restart it (POST /api/sessions/{session}/restart); if it fails again, link the "
    "number again",
    "PASSKEY_REQUIRED": "finish pairing with the passkey in the gateway's dashboard",
    "PASSKEY_CONFIRMATION_REQUIRED": "confirm the passkey pairing in the gateway's dashboard",
}


def session_report(session: str, status: str) -> tuple[bool, str]:
    """Whether posts can go out, and a one-line explanation naming the fix."""
    if status == "WORKING":
        return True, f"WAHA session '{session}' is WORKING"
    fix = _FIX.get(status, "see the gateway's dashboard").format(session=session)
    return False, f"WAHA session '{session}' is {status}, not WORKING: {fix}; posts wait until then"


def _describe(channel: dict[str, Any]) -> str:
    return f'{channel.get("id")} "{channel.get("name", "")}" ({channel.get("role", "?")})'


def channel_report(channel_id: str | None, channels: Sequence[dict[str, Any]]) -> tuple[bool, str]:
    """Is ``channel_id`` a channel this number can post to? If not, list the ones it can."""
    postable = [c for c in channels if c.get("role") in ADMIN_ROLES]
    choices = (
        "channels this number can post to: " + ", ".join(_describe(c) for c in postable)
        if postable
        else "this number administers no channel: create one in WhatsApp on this number, or "
        "have the channel's owner make it an admin"
    )
    if not channel_id:
        return False, f"NEWSBOT_WHATSAPP__CHANNEL_ID is not set; {choices}"
    found = next((c for c in channels if c.get("id") == channel_id), None)
    if found is None:
        return False, (
            f"NEWSBOT_WHATSAPP__CHANNEL_ID={channel_id} is not known to this number; {choices}"
        )
    if found.get("role") not in ADMIN_ROLES:
        return False, (
            f"this number is only {str(found.get('role', 'a follower')).lower()} of "
            f"{_describe(found)}; the channel's owner must make it an admin"
        )
    followers = found.get("subscribersCount")
    count = f", {followers} followers" if isinstance(followers, int | float) else ""
    return True, f"posting to {_describe(found)}{count}"
