"""The X API client: tweepy's ``Client`` with OAuth 1.0a user context, routed to a base URL.

tweepy hard-codes ``https://api.twitter.com``. Rather than patching tweepy, its session is
replaced by one that sends every call to ``NEWSBOT_X__BASE_URL`` (``https://api.x.com`` by
default; a proxy or a test's fake otherwise) and applies the timeout tweepy never sets.
The URL is rewritten *before* requests signs it, so the OAuth signature covers the host
the request really goes to (a transport adapter would see it only after signing).

tweepy has no v2 media upload; ``upload`` posts the multipart form itself, signed with
the same credentials. API reference: https://docs.x.com/x-api/posts/create-post,
https://docs.x.com/x-api/media/media-upload.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import requests
import tweepy

from bot.channels.x.image import Image
from bot.channels.x.settings import XSettings

_TWEEPY_HOSTS = ("https://api.twitter.com", "https://api.x.com")


def quiet_loggers() -> None:
    """tweepy logs request headers at DEBUG, and requests-oauthlib the signed header."""
    for name in ("tweepy", "requests_oauthlib", "oauthlib"):
        logger = logging.getLogger(name)
        logger.setLevel(max(logging.INFO, logger.getEffectiveLevel()))


class RoutedSession(requests.Session):
    def __init__(self, base_url: str, timeout: float) -> None:
        super().__init__()
        self.base_url = base_url.rstrip("/")
        # connecting fails fast; the answer to a post may take the whole budget
        self.timeout = (min(timeout, 5.0), timeout)

    def route(self, url: str) -> str:
        for host in _TWEEPY_HOSTS:
            if url.startswith(host + "/"):
                return self.base_url + url[len(host) :]
        return url

    def request(
        self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any
    ) -> requests.Response:
        kwargs.setdefault("timeout", self.timeout)
        target = url.decode() if isinstance(url, bytes) else url
        return super().request(method, self.route(target), *args, **kwargs)


def _secret(value: Any) -> str:
    return str(value.get_secret_value()) if value is not None else ""


class XApi:
    """The five calls the channel makes; each returns the ``requests.Response`` (headers
    matter: X reports its limits there) or raises tweepy's HTTPException / requests'."""

    def __init__(self, settings: XSettings) -> None:
        quiet_loggers()
        self.session = RoutedSession(str(settings.base_url), settings.timeout.total_seconds())
        keys = (
            _secret(settings.api_key),
            _secret(settings.api_secret),
            _secret(settings.access_token),
            _secret(settings.access_token_secret),
        )
        self.client = tweepy.Client(
            consumer_key=keys[0],
            consumer_secret=keys[1],
            access_token=keys[2],
            access_token_secret=keys[3],
            return_type=requests.Response,
        )
        self.client.session = self.session
        self._auth = tweepy.OAuth1UserHandler(*keys).apply_auth()

    def create(self, text: str, media_ids: list[str]) -> requests.Response:
        response: requests.Response = self.client.create_tweet(
            text=text, media_ids=media_ids or None, user_auth=True
        )
        return response

    def delete(self, post_id: str) -> requests.Response:
        response: requests.Response = self.client.delete_tweet(post_id, user_auth=True)
        return response

    def me(self) -> requests.Response:
        response: requests.Response = self.client.get_me(user_auth=True)
        return response

    def timeline(self, user_id: str, since: datetime, token: str | None) -> requests.Response:
        """The account's own posts since ``since``, newest first, 100 a page. No fields are
        asked for: id and text come by default, and the time window is ``start_time``."""
        params: dict[str, Any] = {
            "start_time": since.astimezone(UTC).replace(microsecond=0),
            "max_results": 100,
            "exclude": ["replies", "retweets"],
        }
        if token:
            params["pagination_token"] = token
        response: requests.Response = self.client.get_users_tweets(
            user_id, user_auth=True, **params
        )
        return response

    def upload(self, image: Image) -> requests.Response:
        response = self.session.request(
            "POST",
            "https://api.x.com/2/media/upload",
            files={"media": (image.filename, image.data, image.mime)},
            data={"media_category": "tweet_image"},
            auth=self._auth,
            headers={"User-Agent": self.client.user_agent},
        )
        if response.status_code >= 400:
            raise tweepy.HTTPException(response)
        return response

    def close(self) -> None:
        self.session.close()
