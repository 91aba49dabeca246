"""The Cloud API channel against the fake Graph API, with a real (SQLite) store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.base import Publisher, Receipt
from bot.channels.whatsapp.cloud import build
from bot.clock import FixedClock
from bot.errors import PermanentError, TransientError
from bot.store.db import transaction
from bot.store.models import Subscriber, SubscriberSend
from tests.fakes.fake_cloud import FakeCloud, running_cloud
from tests.integration.whatsapp_cloud_support import (
    TOKEN,
    add_post,
    add_subscribers,
    cloud_settings,
    outgoing,
    phone_of,
    rows,
    store,
)


@pytest.fixture
def cloud() -> Iterator[FakeCloud]:
    yield from running_cloud(TOKEN)


@pytest.fixture
def sessions(tmp_path: Path) -> sessionmaker[Session]:
    return store(tmp_path)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime.now(UTC))


def publisher_for(
    cloud: FakeCloud, tmp_path: Path, sessions: sessionmaker[Session], **whatsapp: object
) -> Publisher:
    return build(
        cloud_settings(cloud.url, tmp_path, **whatsapp), sessions, FixedClock(datetime.now(UTC))
    )


@pytest.fixture
def publisher(cloud: FakeCloud, tmp_path: Path, sessions: sessionmaker[Session]) -> Publisher:
    return publisher_for(cloud, tmp_path, sessions)


def test_template_goes_to_each_opted_in_subscriber_once(
    cloud: FakeCloud, sessions: sessionmaker[Session], publisher: Publisher
) -> None:
    people = add_subscribers(sessions, ana="in", ben="in", cat="out", dan="never")
    post_id = add_post(sessions)
    receipt = publisher.publish(outgoing(post_id))
    sent = cloud.messages()
    assert sorted(m["to"] for m in sent) == sorted(
        phone_of(sessions, people.ids[n]) for n in ("ana", "ben")
    )
    assert sent[0]["template"] == "news_update"
    assert sent[0]["language"] == "en"
    assert sent[0]["params"] == [
        "Council approves budget",
        "“We kept every promise” — Mayor Ana Ruiz",
        "https://news.example/budget",
    ]
    assert {m["callback"] for m in sent} == {
        f"newsbot:{post_id}:{people.ids[n]}" for n in ("ana", "ben")
    }
    assert receipt.response["sent"] == 2
    assert {status for status, _ in rows(sessions, post_id).values()} == {"sent"}
    # the engine sends again (a retry, a second worker): nobody gets it twice
    publisher.publish(outgoing(post_id))
    assert len(cloud.messages()) == 2


def test_rate_limit_stops_the_fan_out_and_the_retry_finishes_it(
    cloud: FakeCloud, sessions: sessionmaker[Session], publisher: Publisher
) -> None:
    add_subscribers(sessions, a="in", b="in", c="in")
    post_id = add_post(sessions)
    cloud.set_faults({"plan": [{"kind": "status", "status": 429, "code": 130429, "on": "send"}]})
    with pytest.raises(TransientError) as caught:
        publisher.publish(outgoing(post_id))
    assert caught.value.retry_after == 60
    assert publisher.find(outgoing(post_id)) is None  # not done: the engine sends again
    publisher.publish(outgoing(post_id))
    assert sorted(m["to"] for m in cloud.messages()) == [
        "15550000000",
        "15550000001",
        "15550000002",
    ]


def test_timeout_marks_that_subscriber_unknown_and_never_resends(
    cloud: FakeCloud, sessions: sessionmaker[Session], publisher: Publisher
) -> None:
    people = add_subscribers(sessions, a="in", b="in")
    post_id = add_post(sessions)
    cloud.set_faults({"plan": [{"kind": "hang_after_store", "seconds": 3}]})
    with pytest.raises(TransientError):
        publisher.publish(outgoing(post_id))
    assert rows(sessions, post_id)[people.ids["a"]][0] == "unknown"
    publisher.publish(outgoing(post_id))
    assert sorted(m["to"] for m in cloud.messages()) == ["15550000000", "15550000001"]
    found = publisher.find(outgoing(post_id))
    assert found is not None
    assert found.response["unknown"] == 1


def test_a_send_left_mid_flight_by_a_crash_is_not_repeated(
    cloud: FakeCloud, sessions: sessionmaker[Session], publisher: Publisher
) -> None:
    people = add_subscribers(sessions, a="in", b="in")
    post_id = add_post(sessions)
    with transaction(sessions) as session:
        session.add(SubscriberSend(post_id=post_id, subscriber_id=people.ids["a"], status="sending",
                                   updated_at=datetime.now(UTC)))  # fmt: skip
    publisher.publish(outgoing(post_id))
    assert [m["to"] for m in cloud.messages()] == [phone_of(sessions, people.ids["b"])]
    assert rows(sessions, post_id)[people.ids["a"]][0] == "unknown"


def test_one_undeliverable_subscriber_does_not_stop_the_others(
    cloud: FakeCloud, sessions: sessionmaker[Session], publisher: Publisher
) -> None:
    people = add_subscribers(sessions, a="in", b="in")
    post_id = add_post(sessions)
    cloud.set_faults({"plan": [{"kind": "status", "status": 400, "code": 131026}]})
    receipt = publisher.publish(outgoing(post_id))
    assert receipt.response["sent"] == 1
    assert receipt.response["failed"] == 1
    assert receipt.response["failures"][0]["code"] == 131026
    assert rows(sessions, post_id)[people.ids["a"]][0] == "failed"


def test_marketing_opt_out_answer_opts_the_subscriber_out(
    cloud: FakeCloud, sessions: sessionmaker[Session], publisher: Publisher
) -> None:
    people = add_subscribers(sessions, a="in", b="in")
    post_id = add_post(sessions)
    cloud.set_faults({"plan": [{"kind": "status", "status": 400, "code": 131050}]})
    publisher.publish(outgoing(post_id))
    with sessions() as session:
        assert session.get_one(Subscriber, people.ids["a"]).opted_out_at is not None


def test_bad_token_fails_the_post_and_names_the_setting(
    cloud: FakeCloud, tmp_path: Path, sessions: sessionmaker[Session]
) -> None:
    add_subscribers(sessions, a="in")
    post_id = add_post(sessions)
    wrong = publisher_for(cloud, tmp_path, sessions, cloud_token="EAAwrong-token-9")
    with pytest.raises(PermanentError, match="CLOUD_TOKEN") as caught:
        wrong.publish(outgoing(post_id))
    assert "EAAwrong-token-9" not in str(caught.value)
    assert cloud.messages() == []
    assert rows(sessions, post_id) == {1: ("pending", None)}  # sent later, once fixed


def test_unknown_template_fails_the_post(
    cloud: FakeCloud, tmp_path: Path, sessions: sessionmaker[Session]
) -> None:
    add_subscribers(sessions, a="in", b="in")
    post_id = add_post(sessions)
    other = publisher_for(cloud, tmp_path, sessions, cloud_template="breaking_news")
    with pytest.raises(PermanentError, match="132001"):
        other.publish(outgoing(post_id))
    assert len(cloud.requests()) == 1  # stopped at the first refusal


def test_unknown_language_is_refused_before_any_request(
    cloud: FakeCloud, tmp_path: Path, sessions: sessionmaker[Session]
) -> None:
    add_subscribers(sessions, a="in")
    other = publisher_for(cloud, tmp_path, sessions, cloud_template_language="klingon")
    with pytest.raises(PermanentError, match="klingon"):
        other.publish(outgoing(add_post(sessions)))
    assert cloud.requests() == []


def test_parameters_are_folded_to_what_meta_accepts(
    cloud: FakeCloud, sessions: sessionmaker[Session], publisher: Publisher
) -> None:
    add_subscribers(sessions, a="in")
    post = outgoing(add_post(sessions), title="Storm\nwarning:\t roads     closed", key_quote=None)
    publisher.publish(post)
    assert cloud.messages()[0]["params"][:2] == ["Storm warning: roads closed", "—"]


def test_template_params_follow_the_setting(
    cloud: FakeCloud, tmp_path: Path, sessions: sessionmaker[Session]
) -> None:
    cloud.state.templates[("news_short", "pt_BR")] = 2
    add_subscribers(sessions, a="in")
    short = publisher_for(
        cloud, tmp_path, sessions, cloud_template="news_short",
        cloud_template_language="pt_BR", cloud_template_params="headline,link",
    )  # fmt: skip
    short.publish(outgoing(add_post(sessions)))
    assert cloud.messages()[0]["params"] == [
        "Council approves budget",
        "https://news.example/budget",
    ]


def test_no_subscribers_is_published_with_a_note(
    cloud: FakeCloud, sessions: sessionmaker[Session], publisher: Publisher
) -> None:
    receipt = publisher.publish(outgoing(add_post(sessions)))
    assert receipt.response["subscribers"] == 0
    assert receipt.notes == ("no opted-in subscribers: nothing was sent",)
    assert cloud.requests() == []


def test_every_send_refused_fails_the_post(
    cloud: FakeCloud, sessions: sessionmaker[Session], publisher: Publisher
) -> None:
    add_subscribers(sessions, a="in", b="in")
    cloud.set_faults({"plan": [{"kind": "status", "status": 400, "code": 131026, "times": -1}]})
    with pytest.raises(PermanentError, match="none of 2 subscribers"):
        publisher.publish(outgoing(add_post(sessions)))


def test_withdrawing_is_refused_with_the_reason(publisher: Publisher) -> None:
    with pytest.raises(PermanentError, match="cannot take back"):
        publisher.delete(Receipt("whatsapp", "cloud-post-1"))


def test_check_names_the_number_and_counts_subscribers(
    cloud: FakeCloud, sessions: sessionmaker[Session], publisher: Publisher
) -> None:
    add_subscribers(sessions, a="in", b="out")
    health = publisher.check()
    assert health.ok, health.detail
    assert "Daily Desk" in health.detail
    assert "1 opted-in subscribers" in health.detail


def test_check_without_app_secret_is_unhealthy(
    cloud: FakeCloud, tmp_path: Path, sessions: sessionmaker[Session]
) -> None:
    health = publisher_for(cloud, tmp_path, sessions, cloud_app_secret=None).check()
    assert not health.ok
    assert "CLOUD_APP_SECRET is not set" in health.detail


def test_check_with_wrong_phone_id_is_unhealthy(
    cloud: FakeCloud, tmp_path: Path, sessions: sessionmaker[Session]
) -> None:
    health = publisher_for(cloud, tmp_path, sessions, cloud_phone_id="999").check()
    assert not health.ok
    assert "999" in health.detail
    with sessions() as session:
        assert session.scalars(select(Subscriber)).all() == []
