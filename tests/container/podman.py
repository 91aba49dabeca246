"""Rootful podman, set up by scripts/container-base.sh: private configuration, a locally
made base image, no registry. The container tests drive the image through this."""

from __future__ import annotations

import os
import resource
import shlex
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.paths import REPO

BASE_SCRIPT = REPO / "scripts" / "container-base.sh"
CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
SKIPPED = 77  # the script's "cannot run here"


def _quiet(stderr: str) -> str:
    # podman without systemd complains about healthcheck timers on every run; harmless
    return "\n".join(line for line in stderr.splitlines() if "systemd" not in line)


@dataclass(frozen=True)
class Podman:
    env: dict[str, str]
    base_image: str
    runtime: str
    cache: Path

    def __call__(
        self, *args: str, timeout: float = 120, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            ["podman", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and proc.returncode != 0:
            said = _quiet(proc.stderr)[-3000:]
            raise AssertionError(f"podman {shlex.join(args)} exited {proc.returncode}:\n{said}")
        return proc

    def run_flags(self) -> list[str]:
        """What `podman run` needs here: runc (crun refuses hybrid cgroups), the host
        network, and ulimits within the sandbox's hard limits (podman's defaults exceed
        them and runc then fails with EPERM)."""
        nofile = min(_hard_nofile(), 1048576)
        return [
            "--runtime", self.runtime,
            "--network", "host",
            "--ulimit", f"nofile={nofile}:{nofile}",
            "--ulimit", "nproc=4096:4096",
        ]  # fmt: skip

    def build(self, context: Path, log: Path) -> str:
        """Build the Dockerfile in `context`; return the image id (never a shared tag, so
        concurrent runs cannot swap images under each other)."""
        iidfile = log.with_suffix(".iid")
        args = [
            "build", "--pull=never", "--format", "docker", "--isolation", "chroot",
            "--network", "host", "--build-arg", f"BASE_IMAGE={self.base_image}",
            "--iidfile", str(iidfile), "-t", "localhost/newsbot:test",
        ]  # fmt: skip
        if CA_BUNDLE.is_file():
            # a TLS-intercepting proxy is trusted only by the host's bundle: lend it to the
            # RUN steps for the build, never bake it into the image
            args += ["-v", f"{CA_BUNDLE}:{CA_BUNDLE}:ro"]
        with log.open("w") as out:
            proc = subprocess.run(
                ["podman", *args, str(context)],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=1200,
                check=False,
            )
        if proc.returncode != 0:
            tail = "\n".join(log.read_text().splitlines()[-40:])
            raise AssertionError(f"podman build failed ({proc.returncode}):\n{tail}")
        return iidfile.read_text().strip()

    def logs(self, name: str) -> str:
        proc = self("logs", name, check=False)
        return proc.stdout + _quiet(proc.stderr)

    def running(self, name: str) -> bool:
        proc = self("inspect", "-f", "{{.State.Running}}", name, check=False)
        return proc.stdout.strip() == "true"


def _hard_nofile() -> int:
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    return 1048576 if hard == resource.RLIM_INFINITY else hard


def prepare() -> Podman | str:
    """Podman ready to build the image, or the reason it cannot run on this machine."""
    if os.geteuid() != 0:
        return "needs root: rootful podman builds and runs the image (run the tests as root)"
    proc = subprocess.run(
        [str(BASE_SCRIPT)], capture_output=True, text=True, timeout=1200, check=False
    )
    if proc.returncode == SKIPPED:
        return proc.stderr.strip().splitlines()[-1]
    if proc.returncode != 0:
        raise AssertionError(f"{BASE_SCRIPT.name} failed:\n{proc.stderr[-3000:]}")
    exported = {}
    for line in proc.stdout.splitlines():
        key, _, value = line.removeprefix("export ").partition("=")
        exported[key] = shlex.split(value)[0]
    env = {**os.environ, **exported}
    podman = Podman(
        env=env,
        base_image=exported["NEWSBOT_BASE_IMAGE"],
        runtime=exported["NEWSBOT_CONTAINER_RUNTIME"],
        cache=Path(exported["NEWSBOT_CONTAINER_CACHE"]),
    )
    info = podman("info", "--format", "{{.Host.OCIRuntime.Name}}", check=False)
    if info.returncode != 0:
        return f"podman is installed but unusable here: {_quiet(info.stderr).strip()[-500:]}"
    return podman


def free_port() -> int:
    # the container shares the host network and binds 0.0.0.0, so probe the same way
    with socket.socket() as sock:
        sock.bind(("0.0.0.0", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for(podman: Podman, name: str, url: str, *, timeout: float = 90) -> httpx.Response:
    """The first 200 from `url`, failing early (with the logs) if the container exits."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        try:
            response = httpx.get(url, timeout=2)
            if response.status_code == 200:
                return response
            last = f"{response.status_code} {response.text[:300]}"
        except httpx.TransportError as exc:
            last = repr(exc)
        if not podman.running(name):
            logs = podman.logs(name)[-3000:]
            raise AssertionError(f"{name} exited before {url} answered:\n{logs}")
        time.sleep(0.3)
    raise AssertionError(f"{url} never answered 200 ({last}):\n{podman.logs(name)[-3000:]}")
