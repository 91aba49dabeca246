"""Show the chaos figures at the end of the run, even without ``pytest -s``."""

from __future__ import annotations

import pytest

from tests.chaos import FIGURES


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FIGURES:
        terminalreporter.section("chaos figures")
        for table in FIGURES:
            terminalreporter.write_line(table)
