"""moto's server in a process of its own, for the local runtime (`python -m infra.local`).

In AWS, DynamoDB, SQS and SNS do their work on their own machines while the Lambdas run.
Locally, with moto inside the runtime's process, every moto request and every handler share
one Python interpreter lock: on two cores, a burst of requests and the event consumers
competed with moto itself for one core. In its own process moto gets a core of its own.

The child applies the same moto adjustments as before (serialised DynamoDB requests,
requests that cost what they touch: infra/resources.py, infra/moto_costs.py), prints one
line `PARLEY_MOTO_READY {"port": N}` (or `PARLEY_MOTO_FAILED {"error": "..."}`), and runs
until its standard input closes (the runtime stopped, or died) or it is terminated.
"""
from __future__ import annotations

import argparse
import errno
import json
import logging
import signal
import socket
import sys
import threading
import warnings

READY_PREFIX = "PARLEY_MOTO_READY "
FAILED_PREFIX = "PARLEY_MOTO_FAILED "


def _report(prefix: str, data: dict) -> None:
    sys.stdout.write(prefix + json.dumps(data) + "\n")
    sys.stdout.flush()


def _free_port(port: int) -> int:
    """Bind first: ThreadedMotoServer would hang waiting for a server that failed to bind."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        probe.bind(("127.0.0.1", port))
        return probe.getsockname()[1]
    finally:
        probe.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.local.moto_process")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        port = _free_port(args.port)
    except OSError as exc:
        reason = "in use" if exc.errno == errno.EADDRINUSE else exc.strerror
        _report(FAILED_PREFIX, {"error": f"moto port {args.port} on 127.0.0.1: {reason}",
                                "in_use": exc.errno == errno.EADDRINUSE})
        return 1
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    # moto's CloudFormation has no AWS::SecretsManager::Secret: the app uses
    # PARLEY_TOKEN_SECRET locally, so the warning is noise
    logging.getLogger("moto").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module="moto")
    warnings.filterwarnings("ignore", message=".*moto's CloudFormation.*")
    # moto's transactions are not isolated across its request threads: serialise its
    # DynamoDB requests so concurrent Lambdas see DynamoDB's semantics
    from infra.resources import serialize_moto_dynamodb
    serialize_moto_dynamodb()
    from moto.server import ThreadedMotoServer
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    _report(READY_PREFIX, {"port": server.get_host_and_port()[1]})
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())

    def watch_stdin() -> None:
        sys.stdin.read()            # returns when the runtime closes the pipe or dies
        done.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    done.wait()
    try:
        server.stop()
    except Exception:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
