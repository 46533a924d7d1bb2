"""One readable line per request / invocation, with timing."""
from __future__ import annotations

import sys
import threading
import time

_lock = threading.Lock()
_quiet = False


def set_quiet(quiet: bool) -> None:
    global _quiet
    _quiet = quiet


def line(text: str, *, always: bool = False) -> None:
    if _quiet and not always:
        return
    stamp = time.strftime("%H:%M:%S")
    with _lock:
        sys.stdout.write(f"{stamp} {text}\n")
        sys.stdout.flush()


def ms(start: float) -> str:
    return f"{(time.perf_counter() - start) * 1000:.1f}ms"
