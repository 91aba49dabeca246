"""Cloud API errors sorted by who they concern: one subscriber, or every send of the post.

Codes: https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from pywa.errors import WhatsAppError

# the token or the app: nothing will go out until someone fixes the settings
_AUTH = frozenset({0, 3, 10, 190, 200, 299})
# the template or our parameters are wrong for every recipient alike
_TEMPLATE = frozenset(
    {100, 131008, 131009, 132000, 132001, 132005, 132007, 132012, 132015, 132016, 132068, 132069}
)
# slow down and come back
_THROTTLED = frozenset({4, 80007, 130429, 131048, 131056})
# Meta's side; the message may or may not exist
_SERVER = frozenset({1, 2, 131000, 131016})
# the subscriber stopped marketing messages from this business
OPTED_OUT_CODES = frozenset({131050})


@dataclass(frozen=True)
class Verdict:
    #: "recipient": this subscriber failed, go on; "post": stop, the whole post fails;
    #: "retry": stop, come back later (nothing sent to this subscriber); "unknown": stop,
    #: this subscriber's message may exist (not sent again)
    scope: str
    message: str
    code: int | None = None
    retry_after: float | None = None


def judge(exc: WhatsAppError) -> Verdict:
    code = int(exc.code)
    what = f"Cloud API error {code}: {exc.message}"[:400]
    status = exc.status_code or 0
    if code in _AUTH or status == 401:
        return Verdict(
            "post", what + "; check NEWSBOT_WHATSAPP__CLOUD_TOKEN and its permissions", code
        )
    if code in _TEMPLATE:
        return Verdict(
            "post",
            what
            + "; check NEWSBOT_WHATSAPP__CLOUD_TEMPLATE, _TEMPLATE_LANGUAGE and _TEMPLATE_PARAMS",
            code,
        )
    if code in _THROTTLED or status == 429:
        return Verdict("retry", what, code, retry_after=60.0)
    if code in _SERVER or status >= 500:
        return Verdict("unknown", what, code)
    return Verdict("recipient", what, code)


def judge_transport(exc: httpx.TransportError) -> Verdict:
    name = type(exc).__name__
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return Verdict("retry", f"Cloud API unreachable ({name})")
    return Verdict(
        "unknown", f"Cloud API did not answer ({name}); that subscriber is not sent it again"
    )
