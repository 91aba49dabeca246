"""Footprint: `newsbot run` idle resident memory and start-to-ready time, against a bare
FastAPI + uvicorn "hello" process started the same way.

Both run on the interpreter of ``NEWSBOT_BENCH_RUN_PYTHON`` when set (`make bench` points it
at a virtual environment holding only requirements.lock, as `make run` and the image do):
development tools installed beside the bot change what it imports (structlog loads rich
when it finds it), which is not what a newsroom runs."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.common import Row, fresh_sqlite, median

REPEAT = 3
HELLO = """
import uvicorn
from fastapi import FastAPI
app = FastAPI()
@app.get("/readyz")
def ready():
    return {"status": "ready"}
uvicorn.run(app, host="127.0.0.1", port=int(__import__("sys").argv[1]), log_level="error")
"""


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _rss_mb(pid: int) -> float:
    """Resident set size in MB of 10^6 bytes (the kernel reports KiB)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024 / 1e6
    return float("nan")


def _start(cmd: list[str], port: int, env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Seconds from spawn to a 200 on /readyz, and resident MB after 3 s idle."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        ready = None
        while time.perf_counter() - start < 30:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=0.5).status_code == 200:
                    ready = time.perf_counter() - start
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.02)
        if ready is None:
            raise RuntimeError(f"{cmd} never became ready")
        time.sleep(3)
        return ready, _rss_mb(proc.pid)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)


def run() -> list[Row]:
    # absolute, not resolved: a venv's python is a link that must stay inside the venv
    python = os.path.abspath(os.environ.get("NEWSBOT_BENCH_RUN_PYTHON") or sys.executable)
    readies, rss, base_readies, base_rss = [], [], [], []
    for _ in range(REPEAT):
        folder = Path(tempfile.mkdtemp(prefix="newsbot-footprint-"))
        port = _port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_")}
        env.update(
            {
                "NEWSBOT_WEB__PORT": str(port),
                "NEWSBOT_DATA_DIR": str(folder / "data"),
                "NEWSBOT_LOG_LEVEL": "warning",
            }
        )
        fresh_sqlite(folder / "data")  # migrated, empty: the embedded default adds the example feed
        os.replace(folder / "data" / "bench.db", folder / "data" / "newsbot.db")
        t, m = _start([python, "-m", "bot", "run"], port, env, folder)
        readies.append(t)
        rss.append(m)
        port = _port()
        t, m = _start([python, "-c", HELLO, str(port)], port, env, folder)
        base_readies.append(t)
        base_rss.append(m)
    ready, base_ready = median(readies), median(base_readies)
    mem, base_mem = median(rss), median(base_rss)
    return [
        Row(
            "newsbot run: start to ready /readyz",
            round(ready, 2),
            "s",
            round(base_ready, 2),
            round(ready / base_ready, 2),
            "≤ 3 s",
            ready <= 3.0,
        ),
        Row(
            "newsbot run: idle resident memory",
            round(mem, 1),
            "MB",
            round(base_mem, 1),
            round(mem / base_mem, 2),
            "≤ 100 MB",
            mem <= 100.0,
        ),
    ]
