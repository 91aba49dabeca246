"""`make bench`: run every benchmark, print one markdown table, write bench/results.json."""

from __future__ import annotations

import importlib
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import Row

MODULES = [
    "bench.ingest",
    "bench.repoll",
    "bench.footprint",
    "bench.time_to_post",
    "bench.feed_to_post",
    "bench.dashboard",
    "bench.editorial_eval",
]


def _rows(module: Any) -> list[Row]:
    if hasattr(module, "run"):
        return list(module.run())
    rows = []
    for item in module.evaluate():  # the editorial evaluation returns plain dicts
        rows.append(
            Row(
                item["name"],
                item["value"],
                item["unit"],
                item.get("baseline"),
                item.get("ratio"),
                item["target"],
                item["pass"],
            )
        )
    return rows


def main(names: list[str]) -> int:
    rows: list[Row] = []
    for name in names or MODULES:
        module = importlib.import_module(name)
        start = time.perf_counter()
        rows.extend(_rows(module))
        print(f"{name}: {time.perf_counter() - start:.1f} s", file=sys.stderr)
    machine = (
        f"{platform.node()} · {platform.machine()} · {os.cpu_count()} CPUs · "
        f"Python {platform.python_version()}"
    )
    print(f"\nmachine: {machine}\n")
    print("| what | value | baseline | ratio | target | pass |")
    print("| --- | ---: | ---: | ---: | --- | :---: |")
    for r in rows:
        base = "" if r.baseline is None else f"{r.baseline} {r.unit}"
        ratio = "" if r.ratio is None else f"{r.ratio}×"
        # a figure without a target is there to read, not to pass
        mark = "—" if r.passed is None else ("✅" if r.passed else "❌")
        target = r.target if r.target not in (None, "None", "") else "—"
        print(f"| {r.name} | {r.value} {r.unit} | {base} | {ratio} | {target} | {mark} |")
    out = Path(__file__).resolve().parent / "results.json"
    out.write_text(json.dumps([r.to_json() for r in rows], indent=2, ensure_ascii=False) + "\n")
    return 0 if all(r.passed is not False for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
