from __future__ import annotations

import io
import json
import logging

import structlog

from bot import logging as bot_logging


def test_secrets_are_scrubbed_from_every_line() -> None:
    stream = io.StringIO()
    bot_logging.configure("debug", "json", secrets=["s3cr3t-token-value"], stream=stream)
    log = structlog.get_logger("t")
    log.info(
        "sending",
        url="https://api.example/x?key=s3cr3t-token-value",
        api_key="abc",
        nested={"password": "p", "ok": "fine"},
    )
    logging.getLogger("tweepy").warning("header Authorization: OAuth s3cr3t-token-value")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    text = stream.getvalue()
    assert "s3cr3t-token-value" not in text
    assert lines[0]["api_key"] == "[redacted]"
    assert lines[0]["nested"] == {"password": "[redacted]", "ok": "fine"}
    assert "[redacted]" in lines[1]["event"]


def test_json_off_a_terminal_console_on_one() -> None:
    stream = io.StringIO()
    bot_logging.configure("info", "auto", stream=stream)
    structlog.get_logger("t").info("hello", post_id=3)
    assert json.loads(stream.getvalue())["post_id"] == 3

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty = Tty()
    bot_logging.configure("info", "auto", stream=tty)
    structlog.get_logger("t").info("hello", post_id=3)
    assert "post_id=3" in tty.getvalue()
