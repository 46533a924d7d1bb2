"""Connection rows: one per open WebSocket (visitor or agent console)."""
from __future__ import annotations

import threading
from collections import OrderedDict

from pynamodb.exceptions import DeleteError, DoesNotExist

from chalicelib.adapters import models as m
from chalicelib.adapters.dynamo import to_dict


class ConnectionRepo:
    """Connection rows. `identity` answers from this instance's memory after the first read:
    a connection's identity never changes during its life (a revoked session's sockets are
    closed, so no frame comes on them), so a warm function reads a connection once."""

    IDENTITIES = 10_000       # connections remembered per instance

    def __init__(self):
        self._known: OrderedDict[str, dict] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, data: dict) -> None:
        m.Connection(**data).save()

    def get(self, connection_id: str) -> dict | None:
        try:
            return to_dict(m.Connection.get(connection_id))
        except DoesNotExist:
            return None

    def identity(self, connection_id: str) -> dict | None:
        """The connection's row, read once per instance (None: not registered)."""
        with self._lock:
            known = self._known.get(connection_id)
            if known is not None:
                self._known.move_to_end(connection_id)
                return known
        conn = self.get(connection_id)
        if conn is not None:
            with self._lock:
                self._known[connection_id] = conn
                while len(self._known) > self.IDENTITIES:
                    self._known.popitem(last=False)
        return conn

    def delete(self, connection_id: str) -> None:
        with self._lock:
            self._known.pop(connection_id, None)
        try:
            m.Connection(connection_id).delete()
        except DeleteError:
            pass

    def by_conversation(self, conversation_id: str) -> list[dict]:
        return [to_dict(c) for c in m.Connection.conversation_index.query(conversation_id)]

    def by_agent(self, agent_id: str) -> list[dict]:
        return [to_dict(c) for c in m.Connection.agent_index.query(agent_id)]

    def by_kind(self, kind: str) -> list[dict]:
        return [to_dict(c) for c in m.Connection.kind_index.query(kind)]
