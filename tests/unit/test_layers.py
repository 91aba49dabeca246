"""The layers of ``bot`` (the import-linter contracts in pyproject.toml) hold, and they do
catch a module that breaks them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: the ``lint-imports`` command, run by this interpreter (the venv's bin may not be on PATH)
LINT = "import sys; from importlinter.cli import lint_imports_command as c; sys.exit(c())"


def lint_imports(where: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` on the ``bot`` package found in ``where``."""
    env = {**os.environ, "PYTHONPATH": str(where), "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            LINT,
            "--config",
            str(where / "pyproject.toml"),
            "--no-cache",
            *args,
        ],
        cwd=where,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_contracts_hold() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract", "says"),
    [
        # editorial reads a feed item from the sources package: the old cycle
        ("editorial/extract.py", "import bot.sources.feeds", "editorial-pure", "bot.sources"),
        # a channel in a package of its own is held to the rule of bot.channels
        ("channels/mastodon/__init__.py", "import bot.outbox.states", "channels", "bot.outbox"),
        ("metrics.py", "import bot.settings", "metrics", "bot.settings"),
        ("store/db.py", "from bot import audit", "store", "bot.audit"),
        # the old run-time cycle alerts -> metrics -> channels.health -> alerts
        ("alerts.py", "import bot.channels.health", "layers", "bot.channels"),
        ("outbox/states.py", "import bot.outbox.engine", "acyclic", "bot.outbox"),
    ],
)
def test_a_module_that_breaks_a_contract_fails_it(
    tmp_path: Path, module: str, line: str, contract: str, says: str
) -> None:
    shutil.copytree(ROOT / "bot", tmp_path / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    path = tmp_path / "bot" / module
    path.parent.mkdir(exist_ok=True)
    before = path.read_text() if path.exists() else ""
    path.write_text(f"{before}\n{line}  # noqa\n")
    result = lint_imports(tmp_path, "--contract", contract)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "BROKEN" in result.stdout
    assert says in result.stdout
