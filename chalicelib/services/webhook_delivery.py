"""Outgoing webhooks at work: the `webhooks` consumer of the event stream fans an event out
into one delivery per matching endpoint; the delivery handler POSTs it, signed, and retries
with backoff until it succeeds or is parked (docs/webhooks.md).

- `on_event` (the consumer, chalicelib/bootstrap.py CONSUMERS): the site's endpoints (one
  Query), and for each enabled one subscribed to the type a delivery record (a conditional
  put keyed on event id + endpoint id, so a redelivered event adds nothing) and a
  `webhook_delivery` task on the deliveries queue. It never calls a receiver.
- `deliver` (the deliveries queue's handler): a task that is not due yet goes back on the
  queue with the remaining delay (SQS waits at most 900 s per hop); a due one POSTs the
  stored envelope and records the attempt conditionally on the previous attempt number (a
  duplicate task records nothing and sends no further task). A failure schedules the next
  attempt (domain/webhooks.RETRY_DELAYS) or parks the delivery; sustained failure disables
  the endpoint once and emails the site's admins.
"""
from __future__ import annotations

import hashlib
import json

from chalicelib import log
from chalicelib.domain import webhooks as rules
from chalicelib.domain.actors import Actor
from chalicelib.sealing import open_sealed

TASK = "webhook_delivery"
#: every type of the stream (domain/events.EVENT_TYPES): types added there (ticket.*,
#: contact.*) reach the endpoints subscribed to them with no change here
HANDLED_TYPES = rules.CATALOGUE
QUEUE = "webhooks"
MAX_LOG = 10                       # attempts kept on a delivery record
SYSTEM = Actor(kind="system", id="system", name="webhooks", role="system")


def now_ms(deps) -> int:
    return int(deps.clock() * 1000)


def delivery_id(envelope: dict, endpoint_id: str) -> str:
    """Stable per event and endpoint; sorts by the event's commit time."""
    digest = hashlib.sha256(f"{envelope['id']}|{endpoint_id}".encode()).hexdigest()[:16]
    return f"{int(envelope.get('at') or 0):013d}-{digest}"


def _keys(deps) -> list:
    if deps.sealing_keys is None:
        from chalicelib.adapters.site_secrets import sealing_keys
        deps.sealing_keys = sealing_keys
    return deps.sealing_keys()


def enqueue(deps, endpoint_id: str, dlv_id: str, attempt: int, due: int,
            manual: bool = False) -> None:
    body = {"type": TASK, "endpoint_id": endpoint_id, "delivery_id": dlv_id,
            "attempt": attempt, "due": int(due)}
    if manual:
        body["manual"] = True
    deps.queue.send(QUEUE, body, delay=rules.hop_delay(due, now_ms(deps)))


# ------------------------------------------------------------------ the consumer
def on_event(deps, envelope: dict) -> None:
    site_key = envelope.get("site_key")
    if not site_key or not envelope.get("type"):
        return
    now = now_ms(deps)
    for ep in deps.integrations.list_endpoints(site_key):
        data = ep.get("data") or {}
        if not ep.get("enabled") or not rules.matches(data.get("events"), envelope["type"]):
            continue
        endpoint_id = ep["pk"][3:]
        dlv_id = delivery_id(envelope, endpoint_id)
        record = {"event_id": envelope["id"], "event_type": envelope["type"],
                  "envelope": envelope, "log": []}
        if not deps.integrations.put_delivery(endpoint_id, dlv_id, record, now):
            held = deps.integrations.get_delivery(endpoint_id, dlv_id) or {}
            if held.get("status") != "pending" or held.get("attempts"):
                continue          # already under way: a redelivered event adds nothing
        enqueue(deps, endpoint_id, dlv_id, 1, now)
        log.info("webhook_fanned_out", endpoint_id=endpoint_id, delivery_id=dlv_id,
                 event_id=envelope["id"], type=envelope["type"],
                 conversation_id=envelope.get("conversation_id"))


# ------------------------------------------------------------------ one attempt
def sign_and_post(deps, endpoint: dict, envelope: dict):
    """POST the envelope to the endpoint, signed with its secret: the Result."""
    data = endpoint.get("data") or {}
    body = json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    secret = open_sealed(data["secret"], _keys(deps))
    t = int(deps.clock())
    headers = {rules.SIGNATURE_HEADER: rules.signature(secret, t, body),
               "Parley-Event-Id": str(envelope.get("id")),
               "Parley-Event-Type": str(envelope.get("type"))}
    return deps.webhook_http(data["url"], body, headers)


def deliver(deps, task: dict) -> None:
    endpoint_id, dlv_id = task.get("endpoint_id"), task.get("delivery_id")
    attempt, due = int(task.get("attempt") or 1), int(task.get("due") or 0)
    now = now_ms(deps)
    if due > now:                           # not yet: another hop of at most 900 s
        deps.queue.send(QUEUE, task, delay=rules.hop_delay(due, now))
        return
    repo = deps.integrations
    endpoint = repo.get_endpoint(endpoint_id)
    dlv = repo.get_delivery(endpoint_id, dlv_id)
    if endpoint is None or dlv is None:
        return
    if int(dlv.get("attempts") or 0) >= attempt:
        return                              # a duplicate task: this attempt was made
    if dlv.get("status") in ("succeeded", "parked") and not task.get("manual"):
        return
    data = dict(dlv.get("data") or {})
    fields = {"endpoint_id": endpoint_id, "delivery_id": dlv_id, "attempt": attempt,
              "event_id": data.get("event_id"),
              "conversation_id": (data.get("envelope") or {}).get("conversation_id")}
    if not endpoint.get("enabled") and not task.get("manual"):
        entry = {"n": attempt, "at": now, "error": "endpoint disabled"}
        data["log"] = (data.get("log") or [])[-(MAX_LOG - 1):] + [entry]
        repo.record_attempt(endpoint_id, dlv_id, attempt, "parked", data)
        log.info("webhook_skipped_disabled", **fields)
        return
    result = sign_and_post(deps, endpoint, data["envelope"])
    entry = {"n": attempt, "at": now, "code": result.status_code, "ms": result.duration_ms}
    if result.error:
        entry["error"] = result.error
    data["log"] = (data.get("log") or [])[-(MAX_LOG - 1):] + [entry]
    delay = None if result.ok else rules.next_delay(attempt)
    if result.ok:
        status = "succeeded"
    elif delay is not None and not task.get("manual"):
        status = "retrying"
        data["next_at"] = now + delay * 1000
    else:
        status = "parked"
    if status != "retrying":
        data.pop("next_at", None)
    if not repo.record_attempt(endpoint_id, dlv_id, attempt, status, data):
        log.info("webhook_attempt_duplicate", **fields)
        return
    log.info("webhook_attempt", status=status, code=result.status_code,
             ms=result.duration_ms, error=result.error, **fields)
    if result.ok:
        if endpoint.get("failing_since") is not None or endpoint.get("consecutive_parked"):
            repo.record_success(endpoint_id)
        return
    failing_since = repo.record_failure(endpoint_id, now)
    parked = 0
    if status == "retrying":
        enqueue(deps, endpoint_id, dlv_id, attempt + 1, data["next_at"])
    elif not task.get("manual"):
        parked = repo.record_parked(endpoint_id)
    if endpoint.get("enabled") and rules.should_disable(failing_since, parked, now):
        disable(deps, endpoint, "sustained_failure", now)


# ------------------------------------------------------------------ disabling
def disable(deps, endpoint: dict, reason: str, now: int) -> bool:
    endpoint_id = endpoint["pk"][3:]
    if not deps.integrations.disable(endpoint_id, reason, now):
        return False
    from chalicelib.services import audit
    audit.record(deps, SYSTEM, "webhook.disabled", "webhook", endpoint_id,
                 endpoint.get("site_key"), {"reason": reason})
    log.warning("webhook_disabled", endpoint_id=endpoint_id, reason=reason,
                site_key=endpoint.get("site_key"))
    notify_admins(deps, endpoint)
    return True


def notify_admins(deps, endpoint: dict) -> int:
    """Email every enabled admin that the endpoint was disabled; how many were sent."""
    if deps.email is None:
        return 0
    data = endpoint.get("data") or {}
    subject = "Parley: a webhook endpoint was disabled after repeated failures"
    text = (f"The webhook endpoint {endpoint['pk'][3:]} of site {endpoint.get('site_key')} "
            f"({data.get('url')}) failed every delivery for too long and was disabled.\n"
            "Parked deliveries stay in its delivery log; fix the receiver, enable the "
            "endpoint again in the console (Channels > Webhooks) and redeliver them.\n")
    sent = 0
    for agent in deps.agents.list_all():
        if agent.get("role") != "admin" or agent.get("disabled") or not agent.get("email"):
            continue
        try:
            deps.email.send(agent["email"], subject, text)
            sent += 1
        except Exception as exc:
            log.error("webhook_disable_email_failed", agent_id=agent.get("agent_id"),
                      error=repr(exc))
    return sent
