"""The image as a newsroom runs it: built from the Dockerfile, started with SQLite in a
volume, probed the way an orchestrator probes it, stopped the way `docker stop` stops it."""

from __future__ import annotations

import json
import re
import subprocess
import tarfile
import time
import uuid
from pathlib import Path, PurePosixPath
from typing import Any

import httpx
import pytest

from tests.container.conftest import Container, remove, start
from tests.container.podman import Podman, free_port, wait_for
from tests.paths import REPO, SEED

# keep every test of the image in this file: `make test` runs a file on one xdist worker,
# which builds the image once (a session fixture) for all of them
pytestmark = [pytest.mark.container, pytest.mark.slow, pytest.mark.timeout(1800)]


def drafts(podman: Podman, name: str) -> list[dict[str, Any]]:
    out = podman("exec", name, "newsbot", "drafts", "list", "--json").stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def wait_for_drafts(podman: Podman, name: str, timeout: float = 60) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := drafts(podman, name):
            return found
        time.sleep(0.5)
    raise AssertionError(f"no drafts after {timeout}s:\n{podman.logs(name)[-3000:]}")


def inspect(podman: Podman, image: str, field: str) -> Any:
    return json.loads(podman("image", "inspect", image, "--format", f"{{{{json {field}}}}}").stdout)


def test_serves_health_readiness_and_metrics(podman: Podman, running: Container) -> None:
    assert httpx.get(running.url("/healthz"), timeout=5).json() == {"status": "ok"}
    ready = wait_for(podman, running.name, running.url("/readyz"))
    assert ready.json()["status"] == "ready", ready.text
    metrics = httpx.get(running.url("/metrics"), timeout=5)
    assert metrics.status_code == 200
    assert "# TYPE" in metrics.text


def test_healthcheck_passes_while_serving_and_fails_when_nothing_answers(
    podman: Podman, image: str, running: Container
) -> None:
    check = inspect(podman, image, ".Config.Healthcheck")
    assert check["Test"][0] == "CMD", "exec form: no shell needed in the image"
    assert any("/healthz" in part for part in check["Test"])

    podman("healthcheck", "run", running.name)  # exits non-zero when unhealthy
    status = podman("inspect", "-f", "{{.State.Health.Status}}", running.name).stdout.strip()
    assert status == "healthy"

    # the same command, in a container where nothing serves, must report failure
    idle = podman(
        "run", "--rm", *podman.run_flags(), "--env", f"NEWSBOT_WEB__PORT={free_port()}",
        "--entrypoint", check["Test"][1], image, *check["Test"][2:],
        check=False,
    )  # fmt: skip
    assert idle.returncode != 0


def test_runs_as_a_numeric_non_root_user_with_newsbot_as_pid_1(
    podman: Podman, image: str, running: Container
) -> None:
    user = inspect(podman, image, ".Config.User")
    assert re.fullmatch(r"[1-9]\d*(:\d+)?", user), f"USER should be a numeric id > 0: {user!r}"
    assert podman("exec", running.name, "id", "-u").stdout.strip() == user.split(":")[0]
    # exec-form entrypoint that execs: PID 1 is newsbot itself, so SIGTERM reaches it
    pid1 = podman("exec", running.name, "cat", "/proc/1/cmdline").stdout.split("\0")
    assert any(part.endswith("/newsbot") for part in pid1), pid1
    assert "run" in pid1


def test_first_run_drafts_the_example_feed_into_the_volume(
    podman: Podman, image: str, running: Container
) -> None:
    found = wait_for_drafts(podman, running.name)
    assert {d["channel"] for d in found} == {"x", "whatsapp"}
    assert all(d["state"] == "pending_review" and d["text"] for d in found)

    mountpoint = podman("volume", "inspect", "--format", "{{.Mountpoint}}", running.volume).stdout
    database = Path(mountpoint.strip()) / "newsbot.db"
    assert database.is_file(), "SQLite belongs in the /data volume, not in the container layer"
    uid = int(inspect(podman, image, ".Config.User").split(":")[0])
    assert database.stat().st_uid == uid


def test_runs_on_a_dotenv_copied_from_the_example(podman: Podman, image: str) -> None:
    # what docs/deploy.md has a newsroom do: cp .env.example .env, then --env-file .env
    # (its relative data dir and empty template dir must still mean the volume and the
    # bundled templates; only the listen address needs overriding in a container)
    container = start(
        podman,
        image,
        "--env-file",
        str(REPO / ".env.example"),
        "--env",
        "NEWSBOT_WEB__HOST=0.0.0.0",
    )
    try:
        ready = wait_for(podman, container.name, container.url("/readyz"))
        assert ready.json()["status"] == "ready"
        mountpoint = podman("volume", "inspect", "--format", "{{.Mountpoint}}", container.volume)
        assert (Path(mountpoint.stdout.strip()) / "newsbot.db").is_file()
        # and the posts render with the bundled templates
        podman("cp", str(SEED), f"{container.name}:/tmp/article.txt")
        out = podman("exec", container.name, "newsbot", "preview", "/tmp/article.txt", "--json")
        preview = json.loads(out.stdout.splitlines()[0])
        assert preview["key_quote"], preview
        quote_opening = preview["key_quote"]["text"][:40]
        for post in preview["posts"]:
            assert quote_opening in post["text"], post
    finally:
        remove(podman, container)


def test_image_holds_no_tests_no_env_and_no_compiler(podman: Podman, image: str) -> None:
    name = f"newsbot-export-{uuid.uuid4().hex[:10]}"
    podman("create", "--name", name, image)
    try:
        with subprocess.Popen(
            ["podman", "export", name], env=podman.env, stdout=subprocess.PIPE
        ) as export:
            assert export.stdout is not None
            with tarfile.open(fileobj=export.stdout, mode="r|") as tar:
                paths = [PurePosixPath(m.name.removeprefix("./")) for m in tar]
        assert export.returncode == 0
    finally:
        podman("rm", "--force", "--volumes", name, check=False)

    names = {str(p) for p in paths}
    bundled = "opt/venv/share/newsbot/templates/posts/x.txt.j2"
    assert bundled in names, "the listing should be the image's files, templates included"
    assert {p.parts[1] for p in paths if len(p.parts) > 1 and p.parts[0] == "app"} == {"data"}
    # third-party packages may ship their own tests; ours would sit at the top of /app or of
    # site-packages, or carry files only our tests have
    ours = re.compile(
        r"(app|opt/venv/lib/python[\d.]+/site-packages)/tests(/.*)?"
        r"|.*tests/(paths\.py|container/.*)"
    )
    ours_found = [n for n in names if ours.fullmatch(n)]
    assert not ours_found, f"the repository's tests are in the image: {ours_found[:5]}"
    secrets = [n for n in names if PurePosixPath(n).name == ".env"]
    assert not secrets, f".env files in the image: {secrets}"
    compilers = re.compile(r"usr/(local/)?bin/([\w-]*-)?(gcc|cc|c\+\+|g\+\+|clang)(-[\d.]+)?")
    assert not [n for n in names if compilers.fullmatch(n)]


def test_sigterm_stops_it_cleanly_and_a_restart_keeps_its_data(
    podman: Podman, fresh: Container
) -> None:
    wait_for(podman, fresh.name, fresh.url("/readyz"))
    before = wait_for_drafts(podman, fresh.name)

    started = time.monotonic()
    podman("stop", "--time", "30", fresh.name, timeout=60)  # SIGTERM, SIGKILL after 30 s
    took = time.monotonic() - started
    code = podman("inspect", "-f", "{{.State.ExitCode}}", fresh.name).stdout.strip()
    logs = podman.logs(fresh.name)
    assert code == "0", f"exit code {code} after SIGTERM:\n{logs[-3000:]}"
    assert took < 25, f"took {took:.1f}s to stop"
    assert "Traceback" not in logs

    # the same volume again: migrations already applied, nothing drafted twice
    podman("start", fresh.name)
    wait_for(podman, fresh.name, fresh.url("/readyz"))
    after = drafts(podman, fresh.name)
    assert sorted(d["id"] for d in after) == sorted(d["id"] for d in before)
