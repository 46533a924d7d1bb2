"""Requests that do not depend on each other, sent side by side: their waits overlap
instead of adding up (an assignment pass's reads, its pushes, a places run's inputs)."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

MAX_THREADS = 8


def gather(calls: dict) -> dict:
    """{name: fn} -> {name: fn()}, run side by side; the first failure is raised."""
    if len(calls) <= 1:
        return {name: fn() for name, fn in calls.items()}
    with ThreadPoolExecutor(max_workers=min(MAX_THREADS, len(calls))) as pool:
        futures = {name: pool.submit(fn) for name, fn in calls.items()}
        return {name: future.result() for name, future in futures.items()}


def each(fn, items, limit: int = MAX_THREADS) -> list:
    """[fn(item) for item in items], up to `limit` side by side, in the items' order."""
    items = list(items)
    if len(items) <= 1 or limit <= 1:
        return [fn(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(limit, len(items))) as pool:
        return list(pool.map(fn, items))
