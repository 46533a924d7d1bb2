"""Connection rows and the WebSocket handshake.

$connect writes a connection's row before API Gateway has finished the handshake; until then
GET/POST @connections answer 410 Gone for it. A 410 for a row that young says nothing about
the socket, so the row is kept: dropping it would refuse the socket's first frame
("unknown_connection"). Older rows that answer 410 are gone for good."""
from __future__ import annotations

HANDSHAKE_GRACE_MS = 30_000


def still_opening(connection: dict, now_ms: int) -> bool:
    return now_ms - int(connection.get("connected_at") or 0) < HANDSHAKE_GRACE_MS
