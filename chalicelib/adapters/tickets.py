"""The tickets table (models.TicketItem): tickets, comments, history, counters, per-site
config and claims. Every method is a GetItem, a Query, a conditional write or one
transaction; never a full-table read. Returns plain dicts."""
from __future__ import annotations

import zlib

from pynamodb.exceptions import DoesNotExist, PutError, QueryError, TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.adapters import models as m
from chalicelib.adapters.cursor import pack, unpack
from chalicelib.adapters.dynamo import _conditional_failed, _connection
from chalicelib.domain.assignment import DEFAULT_QUEUE
from chalicelib.domain.tickets.model import OPEN_STATUSES
from chalicelib.domain.tickets.sla import next_due
from chalicelib.errors import ValidationError

T = m.TicketItem
DUE_SHARDS = 4
FIRST_NUMBER = 1000
INDEXES = {"status": T.status_index, "assignee": T.assignee_index, "team": T.team_index,
           "requester": T.requester_index}


class ClaimTaken(Exception):
    """A creation whose source (offline message, chat, mail) already made a ticket."""

    def __init__(self, key: str, ticket_id: str | None):
        super().__init__(key)
        self.key = key
        self.ticket_id = ticket_id


class StaleTicket(Exception):
    """The ticket changed since it was read (version condition failed)."""


def requester_key(site_key: str, requester: dict) -> str:
    if requester.get("visitor_id"):
        return f"{site_key}#v#{requester['visitor_id']}"
    return f"{site_key}#e#{(requester.get('email') or '').lower()}"


def _ticket_item(t: dict) -> T:
    site = t["site_key"]
    item = T(pk=f"t#{t['ticket_id']}", sk="ticket", kind="ticket", data=t, site_key=site,
             version=int(t["version"]), site_status=f"{site}#{t['status']}",
             assignee_key=f"{site}#{t.get('assignee_id') or '-'}",
             team_key=f"{site}#{t.get('team') or DEFAULT_QUEUE}",
             requester_key=requester_key(site, t.get("requester") or {}),
             created_at=int(t["created_at"]), updated_at=int(t["updated_at"]))
    due = next_due(t.get("sla") or {}) if t["status"] in OPEN_STATUSES else None
    if due is not None:
        item.due_p = f"sla#{zlib.crc32(t['ticket_id'].encode()) % DUE_SHARDS}"
        item.next_due = int(due)
    return item


def _history_item(ticket_id: str, entry: dict, events: list[dict], ticket: dict,
                  entry_id: str) -> T:
    """A history entry is also the outbox of the events it lists (the table's stream is
    relayed to the event topic: services/event_relay.py)."""
    return T(pk=f"t#{ticket_id}", sk=f"h#{int(ticket['version']):08d}#{entry_id}", kind="history",
             site_key=ticket["site_key"],
             data={**entry, "id": entry_id, "events": events,
                   "ticket": {k: ticket.get(k) for k in ("number", "status", "priority", "team",
                                                          "assignee_id", "source", "version")}})


def _comment_sk(comment: dict) -> str:
    """Comments and history entries sort by the ticket version their write made (each
    change bumps it once, on condition), so two in the same millisecond keep their order."""
    return f"c#{int(comment['v']):08d}#{comment['id']}"


def encode_cursor(lek: dict | None) -> str | None:
    if not lek:
        return None
    return pack(lek)


CURSOR_KEYS = {"pk", "sk", "site_status", "assignee_key", "team_key", "requester_key",
               "updated_at", "created_at"}


def _bad_cursor() -> ValidationError:
    return ValidationError("'cursor' is not a cursor this API gave.", code="invalid_cursor",
                           details={"field": "cursor"})


def decode_cursor(token: str | None) -> dict | None:
    if not token:
        return None
    lek = unpack(token)
    ok = isinstance(lek, dict) and {"pk", "sk"} <= set(lek) <= CURSOR_KEYS and all(
        isinstance(v, dict) and len(v) == 1 and set(v) <= {"S", "N"} and
        all(isinstance(x, str) and len(x) < 600 for x in v.values()) for v in lek.values())
    if not ok:
        raise _bad_cursor()
    return lek


def _run(query, cursor: str | None) -> tuple[list[dict], str | None]:
    """Run a Query page; a cursor DynamoDB refuses (keys of another index) is a 400."""
    try:
        items = [x.data for x in query]
    except QueryError:
        if cursor:
            raise _bad_cursor()
        raise
    return items, encode_cursor(query.last_evaluated_key)


class TicketRepo:
    # ---------------------------------------------------------------- numbers, claims, config
    def next_number(self, site_key: str) -> int:
        """The site's next human ticket number (#1001, #1002...): one atomic ADD. A creation
        that fails afterwards leaves a gap, never a duplicate."""
        item = T(pk=f"seq#{site_key}", sk="seq")
        item.update(actions=[T.counter.add(1)])
        return FIRST_NUMBER + int(item.counter)

    def resolve(self, key: str) -> str | None:
        """The ticket a claim ("src#..", "mid#..", "tok#..") points to."""
        try:
            return T.get(key, "claim", consistent_read=True).ref
        except DoesNotExist:
            return None

    def claim(self, key: str, ticket_id: str) -> bool:
        try:
            T(pk=key, sk="claim", kind="claim", ref=ticket_id).save(
                condition=T.pk.does_not_exist())
            return True
        except PutError as exc:
            if _conditional_failed(exc):
                return False
            raise

    def get_config(self, site_key: str, name: str) -> dict | None:
        try:
            return T.get(f"cfg#{site_key}", name).data
        except DoesNotExist:
            return None

    def put_config(self, site_key: str, name: str, data, now: int) -> None:
        T(pk=f"cfg#{site_key}", sk=name, kind="config", data=data, updated_at=now).save()

    # ---------------------------------------------------------------- tickets
    def create(self, ticket: dict, history: dict, events: list[dict], history_id: str,
               claims: list[str], transcript: list | None = None) -> None:
        """One transaction: the ticket, its first history entry, its claims (each
        conditional: a source that already made a ticket raises ClaimTaken) and the
        transcript of the chat it came from."""
        tid = ticket["ticket_id"]
        try:
            with TransactWrite(connection=_connection()) as tx:
                tx.save(_ticket_item(ticket), condition=T.pk.does_not_exist())
                tx.save(_history_item(tid, history, events, ticket, history_id))
                for key in claims:
                    tx.save(T(pk=key, sk="claim", kind="claim", ref=tid),
                            condition=T.pk.does_not_exist())
                if transcript is not None:
                    tx.save(T(pk=f"t#{tid}", sk="transcript", kind="transcript",
                              data={"lines": transcript}))
        except TransactWriteError as exc:
            reasons = [getattr(r, "code", None) if r else None
                       for r in (exc.cancellation_reasons or [])]
            for i, key in enumerate(claims):
                if i + 2 < len(reasons) and reasons[i + 2] == "ConditionalCheckFailed":
                    raise ClaimTaken(key, self.resolve(key))
            raise

    def get(self, ticket_id: str, consistent: bool = False) -> dict | None:
        try:
            return T.get(f"t#{ticket_id}", "ticket", consistent_read=consistent).data
        except DoesNotExist:
            return None

    def save(self, ticket: dict, expect_version: int, history: dict | None,
             events: list[dict], history_id: str | None, comment: dict | None = None,
             claims: list[str] = ()) -> None:
        """One transaction: the ticket (on condition nobody changed it since it was read),
        its history entry, a comment and claims (Message-IDs of a mail). The comment gets
        `v`, the ticket version it was stored with (its sort key)."""
        tid = ticket["ticket_id"]
        try:
            with TransactWrite(connection=_connection()) as tx:
                tx.save(_ticket_item(ticket), condition=T.version == int(expect_version))
                if history is not None:
                    tx.save(_history_item(tid, history, events, ticket, history_id))
                if comment is not None:
                    comment["v"] = int(ticket["version"])
                    tx.save(T(pk=f"t#{tid}", sk=_comment_sk(comment), kind="comment",
                              data=comment, site_key=ticket["site_key"]))
                for key in claims:
                    tx.save(T(pk=key, sk="claim", kind="claim", ref=tid),
                            condition=T.pk.does_not_exist())
        except TransactWriteError as exc:
            reasons = [getattr(r, "code", None) if r else None
                       for r in (exc.cancellation_reasons or [])]
            if reasons and reasons[0] == "ConditionalCheckFailed":
                raise StaleTicket(tid)
            if "ConditionalCheckFailed" in reasons:
                raise ClaimTaken("claim", tid)
            raise

    def comment(self, ticket_id: str, version: int, comment_id: str) -> dict | None:
        try:
            return T.get(f"t#{ticket_id}", _comment_sk({"v": version, "id": comment_id}),
                         consistent_read=True).data
        except DoesNotExist:
            return None

    def update_comment(self, ticket_id: str, comment: dict) -> None:
        T(pk=f"t#{ticket_id}", sk=_comment_sk(comment)).update(
            actions=[T.data.set(comment)], condition=T.pk.exists())

    # ---------------------------------------------------------------- children, pages
    def _children(self, ticket_id: str, prefix: str, limit: int, cursor: str | None,
                  newest_first: bool) -> tuple[list[dict], str | None]:
        it = T.query(f"t#{ticket_id}", T.sk.startswith(prefix), limit=limit,
                     scan_index_forward=not newest_first,
                     last_evaluated_key=decode_cursor(cursor))
        return _run(it, cursor)

    def comments(self, ticket_id: str, limit: int = 50, cursor: str | None = None):
        """Oldest first (a thread reads top-down)."""
        return self._children(ticket_id, "c#", limit, cursor, newest_first=False)

    def history(self, ticket_id: str, limit: int = 50, cursor: str | None = None):
        """Newest first."""
        return self._children(ticket_id, "h#", limit, cursor, newest_first=True)

    def transcript(self, ticket_id: str) -> list | None:
        try:
            return (T.get(f"t#{ticket_id}", "transcript").data or {}).get("lines")
        except DoesNotExist:
            return None

    def page(self, by: str, key: str, limit: int, cursor: str | None = None,
             filter_condition=None) -> tuple[list[dict], str | None]:
        """One page of an index ("status", "assignee", "team", "requester"), newest first."""
        it = INDEXES[by].query(key, limit=limit, scan_index_forward=False,
                               last_evaluated_key=decode_cursor(cursor),
                               filter_condition=filter_condition)
        return _run(it, cursor)

    def search(self, by: str, key: str, limit: int, cursor: str | None, match,
               budget: int, filter_condition=None) -> tuple[list[dict], str | None]:
        """A filtered page of an index, newest first: reads at most `budget` tickets of the
        index (after `filter_condition`), keeps those `match(ticket)` accepts, and stops at
        `limit` kept. The cursor resumes after the last ticket read, so a page may hold fewer
        than `limit` (even none) and still have a cursor."""
        it = INDEXES[by].query(key, scan_index_forward=False, limit=budget,
                               page_size=min(budget, 100),
                               last_evaluated_key=decode_cursor(cursor),
                               filter_condition=filter_condition)
        out = []
        try:
            for x in it:
                if match(x.data):
                    out.append(x.data)
                    if len(out) >= limit:
                        break
        except QueryError:
            if cursor:
                raise _bad_cursor()
            raise
        return out, encode_cursor(it.last_evaluated_key)

    def due(self, until_ms: int, limit: int, since_ms: int = 0) -> list[dict]:
        """Open tickets whose next due time is in [since_ms, until_ms], earliest first, from
        every shard of the due index (bounded: `limit` per shard)."""
        out = []
        for shard in range(DUE_SHARDS):
            out += [x.data for x in T.due_index.query(
                f"sla#{shard}", T.next_due.between(int(since_ms), int(until_ms)),
                limit=limit)]
        return sorted(out, key=lambda t: next_due(t.get("sla") or {}) or 0)
