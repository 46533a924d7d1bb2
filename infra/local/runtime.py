"""Start the local runtime from Python (tests, scripts).

    with LocalStack() as rt:            # free ports, demo data seeded
        rt.base_url, rt.api_url, rt.ws_url, rt.moto_url, rt.credentials

The runtime runs in a subprocess (`python -m infra.local --port 0 --moto-port 0`): the test
process keeps its own environment and its in-process moto (`mock_aws`) untouched, and the
runtime gets the same start-up path as `make run`. It prints one machine-readable line
(PARLEY_LOCAL_READY {json}) when it is ready.
"""
from __future__ import annotations

import collections
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from infra.local.cli import READY_PREFIX

REPO_ROOT = Path(__file__).resolve().parents[2]
# the caller's own wiring must not leak into the runtime
_SCRUB_PREFIXES = ("PARLEY_TABLE_", "PARLEY_ASSIGNMENT_", "PARLEY_EVENTS_")
_SCRUB = ("AWS_ENDPOINT_URL", "PARLEY_WS_ENDPOINT", "PARLEY_DYNAMODB_ENDPOINT",
          "PARLEY_S3_ENDPOINT", "PARLEY_TOKEN_SECRET_ARN", "AWS_PROFILE")


class LocalStackError(RuntimeError):
    pass


class LocalStack:
    def __init__(self, port: int = 0, moto_port: int = 0, app: str = "app:app",
                 seed: bool = True, test_hooks: bool = True, quiet: bool = False,
                 extra_args: list[str] | None = None, env: dict | None = None,
                 start_timeout: float = 60.0, log_path: str | os.PathLike | None = None):
        self.port = port
        self.moto_port = moto_port
        self.app = app
        self.seed = seed
        self.test_hooks = test_hooks
        self.quiet = quiet
        self.extra_args = list(extra_args or [])
        self.env = dict(env or {})
        self.start_timeout = start_timeout
        self.log_path = Path(log_path) if log_path else None
        self.proc: subprocess.Popen | None = None
        self.info: dict = {}
        self.output: collections.deque[str] = collections.deque(maxlen=5000)
        self._reader: threading.Thread | None = None
        self._ready = threading.Event()

    # ------------------------------------------------------------------ URLs
    @property
    def base_url(self) -> str:
        return self.info["base_url"]

    @property
    def api_url(self) -> str:
        return self.info["api_url"]

    @property
    def ws_url(self) -> str:
        return self.info["ws_url"]

    @property
    def moto_url(self) -> str | None:
        return self.info.get("moto_url")

    @property
    def credentials(self) -> dict:
        return self.info.get("credentials") or {}

    # ------------------------------------------------------------------ lifecycle
    def command(self) -> list[str]:
        cmd = [sys.executable, "-m", "infra.local", "--port", str(self.port),
               "--moto-port", str(self.moto_port), "--app", self.app, "--wechat-port", "0"]
        if not self.seed:
            cmd.append("--no-seed")
        if self.test_hooks:
            cmd.append("--test-hooks")
        if self.quiet:
            cmd.append("--quiet")
        return cmd + self.extra_args

    def start(self) -> "LocalStack":
        env = {k: v for k, v in os.environ.items()
               if k not in _SCRUB and not k.startswith(_SCRUB_PREFIXES)}
        env.update(self.env)
        env["PYTHONUNBUFFERED"] = "1"
        env["PYTHONPATH"] = os.pathsep.join(
            [str(REPO_ROOT)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
        self.proc = subprocess.Popen(self.command(), cwd=str(REPO_ROOT), env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, text=True, bufsize=1)
        self._reader = threading.Thread(target=self._read, name="localstack-out", daemon=True)
        self._reader.start()
        deadline = time.monotonic() + self.start_timeout
        while not self._ready.wait(0.1):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                tail = "\n".join(list(self.output)[-30:])
                self.stop()
                raise LocalStackError(f"the local runtime did not become ready:\n{tail}")
        return self

    def _read(self) -> None:
        log = open(self.log_path, "a", encoding="utf-8") if self.log_path else None
        try:
            for line in self.proc.stdout:
                line = line.rstrip("\n")
                self.output.append(line)
                if log:
                    log.write(line + "\n")
                    log.flush()
                if line.startswith(READY_PREFIX) and not self._ready.is_set():
                    self.info = json.loads(line[len(READY_PREFIX):])
                    self._ready.set()
        finally:
            if log:
                log.close()

    def stop(self, timeout: float = 10.0) -> int | None:
        proc, self.proc = self.proc, None
        if proc is None:
            return None
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        if self._reader:
            self._reader.join(2)
        return proc.returncode

    def __enter__(self) -> "LocalStack":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ------------------------------------------------------------------ helpers for tests
    def boto3_client(self, service: str):
        """A boto3 client against the runtime's moto (fake credentials)."""
        import boto3
        return boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing",
            region_name="us-east-1").client(service, endpoint_url=self.moto_url)

    def table_name(self, name: str, stage: str = "dev") -> str:
        return f"parley-{stage}-{name}"

    def drop_socket(self, connection_id: str) -> dict:
        """Close a socket WITHOUT $disconnect (needs test_hooks): a lost disconnect event."""
        from urllib.parse import quote
        req = urllib.request.Request(
            f"{self.base_url}/@local/drop/{quote(connection_id, safe='')}", method="POST",
            data=b"")
        with urllib.request.urlopen(req, timeout=10) as resp:
            return json.loads(resp.read())

    def open_connections(self) -> list[str]:
        with urllib.request.urlopen(f"{self.base_url}/@local/connections", timeout=10) as r:
            return json.loads(r.read())["connections"]

    def wait_for_output(self, needle: str, timeout: float = 10.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.output):
                if needle in line:
                    return line
            time.sleep(0.05)
        raise AssertionError(f"{needle!r} not in the runtime output")
