"""Places in line and wait estimates, derived and pushed off the request path.

A conversation's place in line is its rank on the queue index (the Query's order: priority,
then arrival), read when it is pushed, never kept up to date by rewriting the line on every
assignment. Whatever changes a line (a chat queues, is assigned, leaves, is transferred or
returned) calls schedule(): the first change of a queue in a window of
PARLEY_POSITION_WINDOW_SECONDS (default 2) claims the window and publishes one `positions`
task delayed to the window's end, so the task sees every change of its window and a visitor
hears at most one update per window. The tasks go on the assignments queue, routing's own,
whose batches run them before the pass (services/tasks.py): a place never waits behind a
bot turn or a handle-time update. The task reads the line once (one Query, in pages)
and writes (one transaction per 100 chats) and pushes only the places and estimates that
changed. A place therefore goes up only when a chat is put ahead (a higher priority, a
chat returned to the front; a chat of the same priority whose write landed a moment late
leaves the place shown, one off at most: domain assignment.shown_places), and 1 ("next") is
shown only to the chat that is first in line.

Wait estimates use the queue's measured handle time (a rolling average updated by the
`handle_time` task when an assigned chat closes) instead of a fixed figure.
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

from chalicelib import log
from chalicelib.adapters.dynamo import now_ms
from chalicelib.domain import assignment as policy
from chalicelib.services import delivery, parallel, tasks

QUEUE = "assignments"          # routing's own queue: a run never waits behind other tasks
MAX_LINE = 1000                # places computed per queue and window (the rest: next window)
PARALLEL = 8                   # pushes (a post each) in flight at once
STATS_KIND = "queue_stats"     # directory records: rolling handle time per queue
DONE_KIND = "queue_positions"  # directory records: when the queue's last run read its line


def window_seconds() -> int:
    """0: no coalescing (each change publishes a task at once)."""
    return int(os.environ.get("PARLEY_POSITION_WINDOW_SECONDS", "2"))


def default_handle_seconds() -> int:
    """The estimate before a queue has measured handle times."""
    return int(os.environ.get("PARLEY_AVG_HANDLE_SECONDS", "240"))


# ------------------------------------------------------------------ scheduling
#: queue -> the last window this Lambda container saw claimed (saves the claim's request
#: for every further change of that queue in the window)
_claimed: dict[str, int] = {}
SKEW_MS = 500                  # clock difference between Lambdas tolerated by the skip


def schedule(deps, keys, now: int | None = None) -> int:
    """Ask for the places of these queues to be recomputed and pushed by the end of the
    current window. Returns how many tasks were published (0 when already scheduled)."""
    window = window_seconds()
    now = now_ms() if now is None else now
    published = 0
    for key in sorted(set(k for k in keys if k)):
        delay, covers = 0, now             # the task must see the line as of `covers`
        if window > 0:
            slot = now // (window * 1000)
            if _claimed.get(key) == slot:
                continue                      # this container claimed it: no request
            if not deps.claims.claim(f"positions#{key}#{slot}", ttl_days=1):
                _claimed[key] = slot
                continue                      # this window's task is already on its way
            _claimed[key] = slot
            covers = (slot + 1) * window * 1000
            delay = max(1, -(-(covers - now) // 1000))
        tasks.publish(deps, "positions", {"queue_key": key, "after": covers}, delay=delay,
                      queue=QUEUE)
        published += 1
    return published


def publish_now(deps, keys) -> None:
    """An assignment pass moved these lines: their runs start at once (the pass already
    gathered its changes, so the window would only delay them). A run of the window that
    starts later still covers what changes after."""
    now = now_ms()
    for key in sorted(set(k for k in keys if k)):
        tasks.publish(deps, "positions", {"queue_key": key, "after": now}, queue=QUEUE)


def run_now(deps, keys):
    """An assignment pass moved these lines: run their places at once, in this function,
    beside the pass's own pushes (a hop through the queue would wait behind the wake-ups a
    close round sends). Returns the join: it waits for the runs; a run that failed is
    published as a task instead (the queue retries it)."""
    keys = sorted(set(k for k in keys if k))
    if not keys:
        return lambda: None
    now = now_ms()
    pool = ThreadPoolExecutor(max_workers=min(4, len(keys)))
    runs = {k: pool.submit(on_positions, deps, {"queue_key": k, "after": now}) for k in keys}

    def join() -> None:
        for key, run in runs.items():
            try:
                run.result()
            except Exception as exc:
                log.error("positions_failed", queue=key, error=repr(exc))
                tasks.publish(deps, "positions", {"queue_key": key, "after": now}, queue=QUEUE)
        pool.shutdown()
    return join


# ------------------------------------------------------------------ the task
def _wait_inputs(deps, key: str) -> tuple[int, int, int]:
    """(online agents, free slots, all slots) of the agents serving `key`."""
    online = [a for a in deps.agents.by_status("online")
              if policy.serves(a, key) and not a.get("disabled")]
    slots = sum(int(a.get("capacity") or 0) for a in online)
    return len(online), policy.free_slots(online, key), slots


def handle_seconds(deps, key: str) -> int:
    stats = deps.directory.get(STATS_KIND, key) if deps.directory is not None else None
    avg_ms = int((stats or {}).get("avg_ms") or 0)
    return max(1, round(avg_ms / 1000)) if avg_ms else default_handle_seconds()


def _changed(attrs: dict, position: int, wait: int) -> bool:
    if attrs.get("queue_position") != position:
        return True
    old = attrs.get("estimated_wait")
    if old is None:
        return True
    return abs(int(old) - wait) >= max(30, int(old) // 5)   # an estimate: no jitter


def on_positions(deps, body: dict) -> int:
    """Recompute the places and estimates of one queue; write and push the changed ones.
    `after`: the time up to which the task must see the line's changes (its window's end).
    When a run of the same queue began reading the line later than that (tasks backed up
    behind a slow one), that run showed everything this one would: it returns at once.
    Idempotent: a redelivered task finds its own run recorded, or nothing changed."""
    key = body.get("queue_key") or policy.DEFAULT_QUEUE
    started = now_ms()
    done = deps.directory.get(DONE_KIND, key) or {}
    if int(done.get("started_at") or 0) > int(body.get("after") or 0) + SKEW_MS:
        log.info("positions_skipped", queue=key, after=body.get("after"),
                 later_run=done.get("started_at"))
        return 0      # a later run read the line after this change: it pushed it (backlog)
    # the run's inputs side by side: their waits overlap
    got = parallel.gather({"record": lambda: deps.directory.put(DONE_KIND, key,
                                                                {"started_at": started}),
                           "line": lambda: deps.waiting.waiting(key, limit=MAX_LINE),
                           "agents": lambda: _wait_inputs(deps, key),
                           "handle": lambda: handle_seconds(deps, key)})
    line = got["line"]
    if not line:
        return 0
    online, free, slots = got["agents"]
    avg = got["handle"]
    changed, moved = [], 0
    for position, conv in zip(policy.shown_places(line), line):
        attrs = conv.get("attrs") or {}
        wait = policy.estimate_wait_seconds(position, online, avg, free, slots)
        if _changed(attrs, position, wait):
            changed.append((conv["conversation_id"], position, wait))
            moved += attrs.get("queue_position") != position
    # the places are written in one transaction per 100 chats; the pushes go to the sockets
    # the line's items name (no Query), PARALLEL of them in flight at once
    at = now_ms()        # stored and pushed with each place: a client keeps the newest
    written = set(deps.conversations.set_places(changed, at))
    items = {conv["conversation_id"]: conv for conv in line}
    told = [c for c in changed if c[0] in written]
    parallel.each(lambda c: push_position(deps, items[c[0]], *c[1:], at), told, PARALLEL)
    pushed = len(told)
    log.info("positions_pushed", queue=key, waiting=len(line), changed=pushed, moved=moved,
             free=free, slots=slots, handle_s=avg)
    return pushed


def push_position(deps, conv: dict, position: int, wait: int, at: int) -> None:
    """Tell the chat's visitor their stored place in line. `at`: when it was written (the
    conversation's `queue_position_at`). Pushes reach a client out of order (a run's push,
    a state read a moment before it by another request): the client keeps the place with
    the newest `at`, so a state carrying the place before this one does not undo it."""
    cid = conv["conversation_id"]
    delivery.push(deps, delivery.visitor_connections(deps, conv),
                  {"type": "queue", "conversation_id": cid, "position": position,
                   "estimated_wait": wait, "at": at}, cid)


# ------------------------------------------------------------------ measured handle times
def record_handle_time(deps, conv: dict) -> None:
    """After an assigned chat closed: publish its handle time for the queue's average."""
    attrs = conv.get("attrs") or {}
    assigned_at = int(attrs.get("assigned_at") or 0)
    if not assigned_at:
        return
    tasks.publish(deps, "handle_time", {
        "conversation_id": conv["conversation_id"],
        "queue_key": policy.queue_key(conv.get("team")),
        "ms": max(0, now_ms() - assigned_at)})


def on_handle_time(deps, body: dict) -> None:
    """Move the queue's rolling average handle time; a redelivered sample (the same
    conversation as the last one counted) changes nothing."""
    key = body.get("queue_key") or policy.DEFAULT_QUEUE
    stats = deps.directory.get(STATS_KIND, key) or {}
    if stats.get("last") == body.get("conversation_id"):
        return
    avg = policy.handle_average(stats.get("avg_ms"), int(body.get("ms") or 0))
    deps.directory.put(STATS_KIND, key, {"avg_ms": avg, "n": int(stats.get("n") or 0) + 1,
                                         "last": body.get("conversation_id")})
