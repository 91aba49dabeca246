"""What every benchmark shares: rows, percentiles, throwaway databases, a runtime."""

from __future__ import annotations

import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bot.runtime import Runtime
from bot.settings import Settings
from bot.store.db import make_engine, upgrade


@dataclass
class Row:
    name: str
    value: float
    unit: str
    baseline: float | None
    ratio: float | None
    target: str
    passed: bool | None  # None: no target, a figure to read

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["pass"] = data.pop("passed")
        return data


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * pct / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def median(values: list[float]) -> float:
    return statistics.median(values)


def fresh_sqlite(folder: Path | None = None) -> str:
    folder = folder or Path(tempfile.mkdtemp(prefix="newsbot-bench-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


def quiet() -> None:
    from bot import logging as bot_logging

    bot_logging.configure("error", "json")


def static_server(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    """``bench.static_server`` in its own process (Last-Modified and 304 included), so the
    server does not share the measured process's interpreter."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.static_server", str(folder), str(port)],
        cwd=Path(__file__).resolve().parents[1],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc, base
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("static server did not start")


def runtime_for(url: str, data_dir: Path, **overrides: Any) -> Runtime:
    values: dict[str, Any] = {"database_url": url, "data_dir": data_dir, "log_level": "error"}
    values.update(overrides)
    return Runtime(Settings(_env_file=None, **values))
