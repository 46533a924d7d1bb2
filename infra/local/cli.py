"""`python -m infra.local`: moto + the data stack + the API Gateway stand-in + event sources.

Order matters: the environment (endpoints, table names, secrets) must be complete before the
app module is imported, because chalicelib/config.py binds table names at import time.
"""
from __future__ import annotations

import argparse
import asyncio
import errno
import importlib
import ipaddress
import json
import os
import secrets
import signal
import socket
import sys
import time
from pathlib import Path

from infra.local import logs

READY_PREFIX = "PARLEY_LOCAL_READY "
REPO_ROOT = Path(__file__).resolve().parents[2]


class StartupError(Exception):
    """A clear one-line problem (port in use, bad option): printed, exit code 2."""


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="python -m infra.local",
                                description="Run Parley locally on embedded moto.")
    p.add_argument("--host", default=None,
                   help="interface to bind (default 127.0.0.1; anything else must be explicit)")
    p.add_argument("--port", type=int, default=8000, help="gateway port (0 = pick a free one)")
    p.add_argument("--moto-port", type=int, default=5055, help="moto port (0 = pick a free one)")
    p.add_argument("--aws-endpoint", default=None,
                   help="use this AWS endpoint (an already running moto/LocalStack) instead "
                        "of starting moto")
    p.add_argument("--no-moto", action="store_true",
                   help="use real AWS with your credentials (no endpoint override)")
    p.add_argument("--stage", default=os.environ.get("PARLEY_STAGE", "dev"))
    p.add_argument("--app", default="app:app", help="Chalice app as module:attribute")
    p.add_argument("--no-seed", action="store_true", help="skip the demo site and admin")
    p.add_argument("--wechat-port", type=int, default=8798,
                   help="the loopback WeChat API stub's port (0 = pick a free one)")
    p.add_argument("--quiet", action="store_true", help="no per-request log lines")
    p.add_argument("--pool-size", type=int, default=64,
                   help="handler threads (each waiting long-poll holds one)")
    p.add_argument("--ws-idle-timeout", type=float, default=600.0,
                   help="seconds without client frames before the socket is closed")
    p.add_argument("--ws-max-life", type=float, default=7200.0,
                   help="maximum WebSocket connection life in seconds")
    p.add_argument("--web-root", default=str(REPO_ROOT / "web"))
    p.add_argument("--test-hooks", action="store_true",
                   help="enable test-only endpoints under /@local/ (e.g. drop a socket "
                        "without $disconnect)")
    return p.parse_args(argv)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bind_socket(host: str, port: int, what: str) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    if os.name != "nt":
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise StartupError(f"{what} port {port} on {host} is already in use "
                               f"(choose another with --{'moto-' if what == 'moto' else ''}port)")
        raise StartupError(f"cannot bind {what} to {host}:{port}: {exc.strerror}")
    return sock


def setup_env(args) -> None:
    env = os.environ
    env["PARLEY_STAGE"] = args.stage
    env.setdefault("AWS_DEFAULT_REGION", env.get("AWS_REGION", "us-east-1"))
    env.setdefault("AWS_REGION", env["AWS_DEFAULT_REGION"])
    if not args.no_moto:
        # never let a local run touch a real account
        for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
            env.pop(key, None)
        env["AWS_ACCESS_KEY_ID"] = "testing"
        env["AWS_SECRET_ACCESS_KEY"] = "testing"
    # stale values from the caller (e.g. the test process) must not leak in
    for key in list(env):
        if key.startswith("PARLEY_TABLE_") or key in ("PARLEY_DYNAMODB_ENDPOINT",
                                                      "PARLEY_S3_ENDPOINT"):
            env.pop(key)
    env.pop("AWS_ENDPOINT_URL", None)
    if not env.get("PARLEY_TOKEN_SECRET"):
        env["PARLEY_TOKEN_SECRET"] = secrets.token_urlsafe(48)
    # the demo bot's order flow calls this runtime's /@demo/orders/status on 127.0.0.1
    env.setdefault("PARLEY_ALLOW_LOOPBACK_ENDPOINTS", "1")
    if args.quiet:
        env.setdefault("PARLEY_LOG_LEVEL", "WARNING")
    # every handler of this process shares the AWS clients: one connection per handler thread
    # (and the event sources' pollers), not the libraries' 10 (chalicelib/config.py)
    env.setdefault("PARLEY_AWS_POOL_SIZE", str(args.pool_size + 16))


def load_app(spec: str):
    module_name, _, attr = spec.partition(":")
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    module = importlib.import_module(module_name)
    return module, getattr(module, attr or "app")


class Runner:
    """Everything the process runs; start() raises StartupError, stop() is idempotent."""

    def __init__(self, args):
        self.args = args
        self.moto = None
        self.sources = None
        self.gateway = None
        self.site = None
        self.web_runner = None
        self.wechat_stub = None
        self.info: dict = {}
        self.stop_requested: asyncio.Event | None = None

    # -------------------------------------------------------------- setup (sync)
    def prepare(self) -> socket.socket:
        args = self.args
        host = args.host or "127.0.0.1"
        if not _is_loopback(host) and args.host is None:
            raise StartupError("refusing to bind a non-loopback address without --host")
        if args.no_moto and args.aws_endpoint:
            raise StartupError("--no-moto and --aws-endpoint are exclusive")
        setup_env(args)
        t0 = time.perf_counter()
        gw_sock = bind_socket(host, args.port, "gateway")
        port = gw_sock.getsockname()[1]
        shown_host = host if ":" not in host else f"[{host}]"
        if shown_host == "0.0.0.0":
            shown_host = "127.0.0.1"
        base_url = f"http://{shown_host}:{port}"

        import boto3
        endpoint = None
        if args.aws_endpoint:
            endpoint = args.aws_endpoint.rstrip("/")
        elif not args.no_moto:
            endpoint = self._start_moto(args.moto_port)
        if endpoint:
            os.environ["AWS_ENDPOINT_URL"] = endpoint
        session = boto3.session.Session(region_name=os.environ["AWS_REGION"])

        from infra.resources import apply_env, deploy_stack
        try:
            outputs = deploy_stack(session, args.stage, endpoint_url=endpoint)
        except Exception as exc:
            raise StartupError(f"could not create the data stack at {endpoint or 'AWS'}: "
                               f"{type(exc).__name__}: {exc}")
        apply_env(outputs)
        if endpoint:
            # the sender's domain, verified as devops verifies it once per account
            # (docs/deployment.md): without it SES refuses every mail Parley sends
            from chalicelib import config as parley_config
            domain = parley_config.ses_sender().rpartition("@")[2]
            session.client("ses", endpoint_url=endpoint).verify_domain_identity(Domain=domain)
        os.environ["PARLEY_WS_ENDPOINT"] = base_url
        os.environ["PARLEY_CONSOLE_ORIGIN"] = base_url     # the console is served from here

        # WeChat's API for the channel functions: the loopback stub (docs/channels.md)
        from infra.local.wechat_stub import WeChatStub
        try:
            self.wechat_stub = WeChatStub(port=args.wechat_port).start()
        except OSError as exc:
            raise StartupError(f"WeChat stub port {args.wechat_port} is not free "
                               f"(choose another with --wechat-port): {exc.strerror}")
        os.environ["PARLEY_WECHAT_API_BASE"] = self.wechat_stub.url

        module, app = load_app(args.app)
        from infra.local.gateway import Gateway
        self.gateway = Gateway(app, module, stage=args.stage, web_root=Path(args.web_root),
                               pool_size=args.pool_size, idle_timeout=args.ws_idle_timeout,
                               max_life=args.ws_max_life, test_hooks=args.test_hooks)
        self.gateway.base_url = base_url

        creds = None
        # seed Parley's app, also when a test module serves it (e.g. with its own consumers)
        parley = sys.modules.get("app")
        if not args.no_seed and parley is not None and getattr(parley, "app", None) is app:
            from chalicelib.services.deps import build_default
            from infra.local.seed import seed_demo
            seeded = build_default()
            creds = seed_demo(seeded, order_endpoint=base_url + "/@demo/orders/status")
            from infra.local.wechat_send import seed_demo_channel
            creds["wechat"] = seed_demo_channel(seeded)

        from infra.local.events import EventSources
        self.sources = EventSources(app, module, session, endpoint, os.environ["AWS_REGION"])
        ws_url = "ws" + base_url[4:] + "/ws"
        self.info = {
            "base_url": base_url, "api_url": base_url + "/v1", "ws_url": ws_url,
            "console_url": base_url + "/console/", "demo_url": base_url + "/",
            "moto_url": endpoint, "stage": args.stage, "app": args.app,
            "wechat_stub_url": self.wechat_stub.url,
            "credentials": creds, "event_sources": self.sources.describe(),
            "startup_ms": None,
        }
        self._t0 = t0
        return gw_sock

    def _start_moto(self, port: int) -> str:
        """moto's server in a child process (infra/local/moto_process.py): its own core,
        not a share of the runtime's interpreter lock."""
        import subprocess
        from infra.local import moto_process
        self.moto = subprocess.Popen(
            [sys.executable, "-m", "infra.local.moto_process", "--port", str(port)],
            cwd=str(REPO_ROOT), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.moto.stdout.readline()      # the child's one line: ready or failed
        if line.startswith(moto_process.READY_PREFIX):
            got = json.loads(line[len(moto_process.READY_PREFIX):])
            return f"http://127.0.0.1:{got['port']}"
        self._stop_moto()
        if line.startswith(moto_process.FAILED_PREFIX):
            failed = json.loads(line[len(moto_process.FAILED_PREFIX):])
            if failed.get("in_use"):
                raise StartupError(f"moto port {port} on 127.0.0.1 is already in use "
                                   "(choose another with --moto-port)")
            raise StartupError(failed.get("error") or "moto did not start")
        raise StartupError("moto did not start")

    def _stop_moto(self) -> None:
        import subprocess
        proc, self.moto = self.moto, None
        if proc is None:
            return
        try:
            proc.stdin.close()                  # the child stops when its stdin closes
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        except Exception:
            pass

    # -------------------------------------------------------------- serve (async)
    async def serve(self, gw_sock: socket.socket) -> None:
        from aiohttp import web
        loop = asyncio.get_running_loop()
        self.stop_requested = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, self.stop_requested.set)
            except (NotImplementedError, RuntimeError):
                pass
        self.gateway.loop = loop
        self.web_runner = web.AppRunner(self.gateway.web_app, access_log=None,
                                        handle_signals=False, shutdown_timeout=2.0)
        await self.web_runner.setup()
        self.site = web.SockSite(self.web_runner, gw_sock)
        await self.site.start()
        self.sources.start()
        self.info["startup_ms"] = round((time.perf_counter() - self._t0) * 1000)
        self.print_banner()
        await self.stop_requested.wait()
        logs.line("shutting down...", always=True)
        await self.gateway.close_all()
        await self.web_runner.cleanup()

    def print_banner(self) -> None:
        i = self.info
        lines = [
            "",
            "  Parley local runtime is up "
            f"({i['startup_ms']} ms, app {i['app']}, stage {i['stage']})",
            f"  Demo page (widget):  {i['demo_url']}",
            f"  Agent console:       {i['console_url']}",
            f"  REST API:            {i['api_url']}",
            f"  WebSocket:           {i['ws_url']}",
            f"  AWS endpoint (moto): {i['moto_url'] or 'real AWS'}",
        ]
        if i["credentials"]:
            c = i["credentials"]
            lines.append(f"  Demo site key:       {c['site_key']}")
            lines.append(f"  Demo admin login:    {c['admin_email']} / {c['admin_password']}")
        if i.get("wechat_stub_url"):
            lines.append(f"  WeChat API stub:     {i['wechat_stub_url']}  (python -m "
                         "infra.local.wechat_send --text 你好)")
        for d in i["event_sources"]:
            lines.append(f"  Event source:        {d}")
        lines.append("  Ctrl-C to stop.")
        lines.append("")
        sys.stdout.write("\n".join(lines) + "\n")
        sys.stdout.write(READY_PREFIX + json.dumps(i) + "\n")
        sys.stdout.flush()

    def stop(self) -> None:
        if self.wechat_stub:
            self.wechat_stub.stop()
            self.wechat_stub = None
        if self.sources:
            self.sources.stop()
            self.sources = None
        if self.gateway:
            self.gateway.pool.shutdown(wait=False, cancel_futures=True)
        self._stop_moto()


def main(argv=None) -> int:
    args = parse_args(argv)
    logs.set_quiet(args.quiet)
    runner = Runner(args)
    code = 0
    try:
        sock = runner.prepare()
        asyncio.run(runner.serve(sock))
    except StartupError as exc:
        sys.stderr.write(f"error: {exc}\n")
        code = 2
    except KeyboardInterrupt:
        pass
    finally:
        runner.stop()
    sys.stdout.flush()
    sys.stderr.flush()
    # handler threads may still sit in a long-poll; do not wait up to 20 s for them
    os._exit(code)
