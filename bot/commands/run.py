"""run, worker, web, poll, publish, check."""

from __future__ import annotations

import argparse
import time
from typing import Any

from bot.commands.common import command, print_table, with_runtime
from bot.runtime import Runtime
from bot.store.models import Source


def _run(runtime: Runtime, _args: argparse.Namespace) -> int:
    from bot.serve import serve

    return serve(runtime, web=True, worker=True)


def _worker(runtime: Runtime, _args: argparse.Namespace) -> int:
    from bot.serve import serve

    return serve(runtime, web=False, worker=True)


def _web(runtime: Runtime, _args: argparse.Namespace) -> int:
    from bot.serve import serve

    return serve(runtime, web=True, worker=False)


def _poll(runtime: Runtime, args: argparse.Namespace) -> int:
    runtime.ensure_sources()
    results = runtime.poll_round(force=True)
    if not args.once:
        # without --once the same round repeats on the poll interval, as the worker does
        while True:
            time.sleep(runtime.settings.poll_interval.total_seconds())
            results = runtime.poll_round()
    rows = []
    with runtime.sessions() as session:
        for source_id, result in results.items():
            source = session.get_one(Source, source_id)
            rows.append(
                [str(source_id), result.status, str(result.new), result.error or "", source.url]
            )
    print_table(["SOURCE", "STATUS", "NEW", "ERROR", "URL"], rows)
    failed = sum(1 for r in results.values() if r.status == "error")
    print(f"polled {len(results)} source(s): {failed} failed")
    return 0


def _publish(runtime: Runtime, args: argparse.Namespace) -> int:
    counts: dict[str, int] = {}

    def add(more: dict[str, Any]) -> None:
        for key, value in more.items():
            counts[key] = counts.get(key, 0) + int(value)

    add(runtime.reconcile_round())
    runtime.maintenance_round()
    add(runtime.publish_round())
    if not args.once:
        while True:
            time.sleep(runtime.settings.publish_interval.total_seconds())
            add(runtime.reconcile_round())
            add(runtime.publish_round())
    summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing due"
    print(f"publish: {summary}")
    return 1 if counts.get("failed") else 0


def _check(runtime: Runtime, _args: argparse.Namespace) -> int:
    rows = []
    ok = True
    for name, channel in runtime.channels.items():
        try:
            health = channel.check()
        except Exception as exc:  # check reports, whatever the channel raised
            rows.append([name, "error", f"{exc.__class__.__name__}: {exc}"])
            ok = False
            continue
        ok = ok and health.ok
        rows.append([name, "ok" if health.ok else "unhealthy", health.detail])
    print("settings: ok")
    print_table(["CHANNEL", "STATUS", "DETAIL"], rows)
    return 0 if ok else 1


def register(sub: Any) -> None:
    for name, fn, text in (
        ("run", _run, "worker and web dashboard in one process"),
        ("worker", _worker, "only the worker (poll, publish, reconcile)"),
        ("web", _web, "only the web dashboard and API"),
        ("check", _check, "validate settings and reach each configured channel"),
    ):
        p = command(sub, name, text)
        p.set_defaults(handler=with_runtime(fn))
    p = command(sub, "poll", "poll due sources now")
    p.add_argument("--once", action="store_true", help="one round, then exit")
    p.set_defaults(handler=with_runtime(_poll))
    p = command(sub, "publish", "send what is due now")
    p.add_argument("--once", action="store_true", help="send what is due, then exit")
    p.set_defaults(handler=with_runtime(_publish))
