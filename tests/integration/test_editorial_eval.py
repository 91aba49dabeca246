"""The editorial evaluation's targets hold (the same table `make bench` prints)."""

from __future__ import annotations

import pytest

from bench.editorial_eval import evaluate

ROWS = evaluate()


@pytest.mark.parametrize(
    "row", [r for r in ROWS if r["target"] is not None], ids=lambda r: r["name"]
)
def test_target_met(row: dict[str, object]) -> None:
    assert row["pass"] is True, row


def test_rows_have_the_benchmark_shape() -> None:
    for row in ROWS:
        assert set(row) == {"name", "value", "unit", "baseline", "ratio", "target", "pass"}
