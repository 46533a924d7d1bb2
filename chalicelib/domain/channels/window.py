"""WeChat's customer-service window: a business may send 客服消息 to a user only within
48 hours of that user's last message or interaction (message, menu click, subscription)."""
from __future__ import annotations

WINDOW_MS = 48 * 3600 * 1000


def state(last_user_at: int | None, now_ms: int) -> dict:
    """{"open": bool, "expires_at": ms | None, "remaining_ms": int} for a conversation whose
    user last wrote at `last_user_at` (ms)."""
    if not last_user_at:
        return {"open": False, "expires_at": None, "remaining_ms": 0}
    expires = int(last_user_at) + WINDOW_MS
    remaining = max(0, expires - int(now_ms))
    return {"open": remaining > 0, "expires_at": expires, "remaining_ms": remaining}


def is_open(last_user_at: int | None, now_ms: int) -> bool:
    return state(last_user_at, now_ms)["open"]
