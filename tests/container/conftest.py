"""The image, built once per test session, and a container of it serving on a free port."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.container.podman import Podman, free_port, prepare, wait_for
from tests.paths import REPO


@pytest.fixture(scope="session")
def podman() -> Podman:
    ready = prepare()
    if isinstance(ready, str):
        if os.environ.get("CI") and os.geteuid() == 0:
            # CI runs as root with scripts/test-prereqs.sh done: a skip there would hide
            # a broken image, so it is a failure
            pytest.fail(f"container tests cannot run on CI: {ready}")
        pytest.skip(ready)
    return ready


@pytest.fixture(scope="session")
def image(podman: Podman, tmp_path_factory: pytest.TempPathFactory) -> str:
    return podman.build(REPO, tmp_path_factory.mktemp("image") / "build.log")


@dataclass(frozen=True)
class Container:
    name: str
    volume: str
    port: int

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def start(podman: Podman, image: str, *args: str) -> Container:
    """`podman run` the image's default command with SQLite in a fresh named volume."""
    tag = uuid.uuid4().hex[:10]
    container = Container(
        name=f"newsbot-test-{tag}", volume=f"newsbot-test-{tag}", port=free_port()
    )
    podman("volume", "create", container.volume)
    podman(
        "run", "--detach", "--name", container.name, *podman.run_flags(),
        "--env", f"NEWSBOT_WEB__PORT={container.port}",
        "--volume", f"{container.volume}:/data",
        *args, image,
    )  # fmt: skip
    return container


def remove(podman: Podman, container: Container) -> None:
    podman("rm", "--force", "--volumes", "--time", "5", container.name, check=False)
    podman("volume", "rm", "--force", container.volume, check=False)


@pytest.fixture
def fresh(podman: Podman, image: str) -> Iterator[Container]:
    """A container of one's own, for tests that stop or restart it."""
    container = start(podman, image)
    try:
        yield container
    finally:
        remove(podman, container)


@pytest.fixture(scope="module")
def running(podman: Podman, image: str) -> Iterator[Container]:
    """One container shared by the read-only checks, serving and ready."""
    container = start(podman, image)
    try:
        wait_for(podman, container.name, container.url("/healthz"))
        yield container
    finally:
        remove(podman, container)
