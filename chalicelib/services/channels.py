"""Channels: one conversation engine for every place a customer writes from.

Inbound: `receive` finds (or creates) the visitor behind a channel's external user through a
key item (`chuser#{channel}#{external id}`, a conditional put: no full-table read, no duplicate visitor
when two first messages race), finds or opens their conversation with the channel's kind,
and posts the message through conversations.post_message as that visitor: the same path the
widget takes, so the bot, the queue and every hook work on every channel.

Outbound: agent and bot messages on a conversation whose channel delivers outbound (WeChat)
are handed to an SQS task (`channel_deliver`, declared in bootstrap.TASK_HANDLERS) by a
message hook, so a slow or failing channel never blocks a send. Why a task rather than a
consumer of the event stream: the hook runs right after the write (no stream -> SNS hop, so
a reply reaches WeChat in well under a second), needs no new queue or function, and the task
carries its own attempt count for exponential backoff (a re-published task with SQS
DelaySeconds); the events queue's DLQ catches a handler that crashes. Each delivery runs once
per message (a claim `chout#{conversation}#{seq}`); a failure after the last attempt, or a
permanent one (WeChat's 48-hour window closed), becomes a `channel_delivery_failed` system
event on the conversation, shown to agents only.
"""
from __future__ import annotations

from chalicelib import log
from chalicelib.adapters.dynamo import now_ms
from chalicelib.domain import channels as ch
from chalicelib.domain import departments as depts
from chalicelib.domain.actors import Actor
from chalicelib.domain.retention import ttl_fields
from chalicelib.errors import AppError, Conflict, NotFound
from chalicelib.services import conversations, tasks
from chalicelib.services.sessions import _new_conversation, new_id

DELIVERY_LEASE_MS = 120_000


class DeliveryFailed(Exception):
    def __init__(self, reason: str, permanent: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


# ---------------------------------------------------------------- inbound
def _visitor_for(deps, site: dict, channel: dict, external_id: str, profile: dict) -> dict:
    key = ch.link_key(channel["id"], external_id)
    links = deps.channels.links
    visitor_id = links.get(key)
    if visitor_id is None:
        fresh = new_id("v")
        if links.put_new(key, fresh):
            ts = now_ms()
            data = {"visitor_id": fresh, "site_key": site["site_key"], "created_at": ts,
                    "last_seen_at": ts, "visits": 1,
                    "attributes": {"channel": channel["kind"], "external_id": external_id},
                    **{k: v for k, v in profile.items() if v},
                    **ttl_fields((site.get("settings") or {}).get("retention_days"), ts)}
            return deps.visitors.create(data)
        visitor_id = links.get(key)
    visitor = deps.visitors.get(visitor_id) if visitor_id else None
    if visitor is None:      # the racing first message is still creating it: retry shortly
        raise Conflict("This user's first message is still being stored; retry.",
                       code="channel_user_pending")
    return visitor


def _conversation_for(deps, site: dict, channel: dict, visitor: dict, external_id: str,
                      profile: dict) -> dict:
    conv = None
    if visitor.get("current_conversation_id"):
        conv = deps.conversations.get(visitor["current_conversation_id"], consistent=True)
    if conv is not None and conv.get("status") != "closed":
        return conv
    # a channel of a department: its users' chats go to that department's bot and team
    dept = {"attributes": {depts.ATTRIBUTE: channel["department"]}} \
        if channel.get("department") else {}
    conv = _new_conversation(deps, visitor["visitor_id"], site["site_key"], site,
                             {**visitor, **{k: v for k, v in profile.items() if v}, **dept},
                             channel=channel["kind"],
                             channel_attrs={"channel_id": channel["id"],
                                            "external_id": external_id})
    deps.visitors.touch(visitor["visitor_id"], {}, new_visit=True,
                        conversation_id=conv["conversation_id"])
    return conv


def receive(deps, site_key: str, channel: dict, external_user_id: str, message: dict,
            profile: dict | None = None) -> dict:
    """Store one inbound message from `channel` (its record) for `external_user_id`.

    message: {"text", "client_message_id", "at" (ms of the user's interaction; default now)}.
    profile: optional {"name", "email"}. Returns the conversation id, the visitor id, the
    stored message view and whether it was new (a replayed client message id is not)."""
    if not ch.EXTERNAL_ID_RE.match(external_user_id or ""):
        raise AppError("The external user id is 1-128 letters, digits or _-.:@.",
                       code="invalid_external_id")
    site = deps.sites.get(site_key)
    if site is None:
        raise NotFound("Unknown site key.", code="unknown_site")
    profile = {k: v for k, v in (profile or {}).items() if k in ("name", "email") and v}
    visitor = _visitor_for(deps, site, channel, external_user_id, profile)
    conv = _conversation_for(deps, site, channel, visitor, external_user_id, profile)
    actor = Actor(kind="visitor", id=visitor["visitor_id"], site_key=site_key)
    view, created = conversations.post_message(
        deps, actor, conv["conversation_id"],
        {"text": message["text"], "client_message_id": message["client_message_id"]})
    if created:
        deps.conversations.update(conv["conversation_id"], bump_rev=False, map_sets={
            ("attrs", "last_user_at"): int(message.get("at") or now_ms())})
    log.info("channel_message_received", conversation_id=conv["conversation_id"],
             channel=channel["kind"], channel_id=channel["id"], created=created)
    return {"conversation_id": conv["conversation_id"], "visitor_id": visitor["visitor_id"],
            "message": view, "created": created}


def touch_window(deps, channel: dict, external_user_id: str, at_ms: int) -> None:
    """An interaction that stores no message (a menu VIEW, a location report) still renews
    the 48-hour window of the user's open conversation, if any."""
    visitor_id = deps.channels.links.get(ch.link_key(channel["id"], external_user_id))
    visitor = deps.visitors.get(visitor_id) if visitor_id else None
    cid = (visitor or {}).get("current_conversation_id")
    if cid:
        deps.conversations.update(cid, bump_rev=False,
                                  map_sets={("attrs", "last_user_at"): int(at_ms)})


# ---------------------------------------------------------------- outbound
def on_outbound_message(deps, conv: dict, message: dict) -> None:
    """Message hook (agent and bot messages): queue the delivery when the channel needs one."""
    if not ch.delivers_outbound(conv.get("channel")) or ch.outbound_text(message) is None \
            and not message.get("attachment"):
        return
    tasks.publish(deps, "channel_deliver", {"conversation_id": conv["conversation_id"],
                                            "seq": int(message["seq"]), "attempt": 0})


def deliver(deps, body: dict) -> None:
    """Task handler: deliver one stored message to its channel, at most once; retry with
    exponential backoff; tell the agents when it cannot be delivered."""
    cid, seq = body["conversation_id"], int(body["seq"])
    attempt = int(body.get("attempt") or 0)
    claim = f"chout#{cid}#{seq}"
    state = deps.claims.begin(claim, DELIVERY_LEASE_MS)
    if state == "done":
        return
    if state == "busy":
        raise RuntimeError("delivery in progress")        # SQS retries after the lease
    try:
        conv = deps.conversations.get(cid, consistent=True)
        message = deps.messages.get(cid, seq)
        if conv is None or message is None:
            deps.claims.finish(claim)
            return
        channel = deps.channels.repo.get((conv.get("attrs") or {}).get("channel_id") or "")
        sender = (deps.channel_senders or {}).get(conv.get("channel"))
        try:
            if channel is None or sender is None:
                raise DeliveryFailed("channel_missing", permanent=True)
            sender(deps, channel, conv, message)
        except DeliveryFailed as failed:
            if failed.permanent or attempt + 1 >= ch.MAX_ATTEMPTS:
                _report_failure(deps, conv, seq, failed.reason, attempt + 1)
                deps.claims.finish(claim)
                return
            deps.claims.release(claim)
            delay = ch.backoff_seconds(attempt)
            log.warning("channel_delivery_retry", conversation_id=cid, seq=seq,
                        attempt=attempt + 1, delay=delay, reason=failed.reason)
            tasks.publish(deps, "channel_deliver", {"conversation_id": cid, "seq": seq,
                                                    "attempt": attempt + 1}, delay=delay)
            return
    except Exception:
        deps.claims.release(claim)
        raise
    deps.claims.finish(claim)
    log.info("channel_delivered", conversation_id=cid, seq=seq, channel=conv.get("channel"),
             attempt=attempt + 1)


def _report_failure(deps, conv: dict, seq: int, reason: str, attempts: int) -> None:
    log.warning("channel_delivery_failed", conversation_id=conv["conversation_id"], seq=seq,
                reason=reason, attempts=attempts)
    text = {"window_expired": "Not delivered: WeChat's 48-hour reply window has closed.",
            "window_quota": "Not delivered: WeChat's message limit for this window is reached.",
            }.get(reason, "Not delivered to the customer's channel.")
    conversations.post_system_event(
        deps, conv, "channel_delivery_failed",
        {"seq": seq, "reason": reason, "channel": conv.get("channel"), "attempts": attempts},
        text=text, visitor=False)


def mark_status(deps, channel: dict, field: str) -> None:
    """Record a status timestamp on the channel (verified_at, last_message_at) for the setup
    page; at most one write a minute per field, and never a failure for the caller."""
    ts = now_ms()
    if ts - int(channel.get(field) or 0) < 60_000:
        return
    data = {k: v for k, v in channel.items() if k not in ("id", "updated_at")}
    data[field] = ts
    try:
        deps.channels.repo.replace(channel["id"], data)
    except Exception as exc:
        log.warning("channel_status_write_failed", channel_id=channel["id"], error=repr(exc))
