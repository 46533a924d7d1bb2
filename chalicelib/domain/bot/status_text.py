"""Readable text for the machine values a flow's endpoint returns ("processing" -> 处理中).

A flow answer template such as ``订单{order_id}的状态:{status}`` is filled with the
endpoint's response. Businesses' order systems answer with codes (``processing``,
``out_for_delivery``, ``REFUNDED``), which read badly in a Chinese sentence ("状态:processing").
``readable(value, lang, labels)`` uses, in order: the flow's own ``labels`` for that field
(``{"shipped": {"zh": "已发货", "en": "shipped"}}``), the common codes below, and for other
codes in English the words of the code (``out_for_delivery`` -> "out for delivery").
Anything that is not a code (numbers, dates, free text) is left as it is.
"""
from __future__ import annotations

import re
from typing import Any, Optional

_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:[_\- ][A-Za-z0-9]+)*$")

COMMON_CODES: dict[str, dict[str, str]] = {
    "pending": {"zh": "待处理", "en": "pending"},
    "created": {"zh": "已创建", "en": "created"},
    "unpaid": {"zh": "待付款", "en": "awaiting payment"},
    "awaiting_payment": {"zh": "待付款", "en": "awaiting payment"},
    "paid": {"zh": "已付款", "en": "paid"},
    "processing": {"zh": "处理中", "en": "being processed"},
    "in_progress": {"zh": "处理中", "en": "in progress"},
    "confirmed": {"zh": "已确认", "en": "confirmed"},
    "packed": {"zh": "已打包", "en": "packed"},
    "shipped": {"zh": "已发货", "en": "shipped"},
    "dispatched": {"zh": "已发货", "en": "dispatched"},
    "in_transit": {"zh": "运输中", "en": "in transit"},
    "out_for_delivery": {"zh": "派送中", "en": "out for delivery"},
    "delivered": {"zh": "已签收", "en": "delivered"},
    "completed": {"zh": "已完成", "en": "completed"},
    "done": {"zh": "已完成", "en": "done"},
    "cancelled": {"zh": "已取消", "en": "cancelled"},
    "canceled": {"zh": "已取消", "en": "cancelled"},
    "refunding": {"zh": "退款中", "en": "being refunded"},
    "refunded": {"zh": "已退款", "en": "refunded"},
    "returned": {"zh": "已退货", "en": "returned"},
    "failed": {"zh": "失败", "en": "failed"},
    "on_hold": {"zh": "暂停处理", "en": "on hold"},
    "approved": {"zh": "已通过", "en": "approved"},
    "rejected": {"zh": "未通过", "en": "rejected"},
    "active": {"zh": "生效中", "en": "active"},
    "expired": {"zh": "已过期", "en": "expired"},
    "open": {"zh": "处理中", "en": "open"},
    "closed": {"zh": "已关闭", "en": "closed"},
    "true": {"zh": "是", "en": "yes"},
    "false": {"zh": "否", "en": "no"},
}


def _pick(d: Any, lang: str) -> Optional[str]:
    if isinstance(d, str):
        return d
    if isinstance(d, dict):
        v = d.get(lang) or d.get("en") or d.get("zh") or next(iter(d.values()), None)
        return v if isinstance(v, str) else None
    return None


def readable(value: Any, lang: str, labels: Optional[dict] = None) -> Any:
    """The value as a visitor should read it in ``lang`` (see the module docstring)."""
    if isinstance(value, bool):
        value = "true" if value else "false"
    if not isinstance(value, str) or not _CODE.match(value.strip()):
        return value
    raw = value.strip()
    if labels:
        for key in (raw, raw.lower()):
            if key in labels:
                text = _pick(labels[key], lang)
                if text:
                    return text
    key = re.sub(r"[\- ]", "_", raw.lower())
    if key in COMMON_CODES:
        return COMMON_CODES[key][lang if lang in ("zh", "en") else "en"]
    if lang == "en" and "_" in raw:
        return raw.replace("_", " ").lower()
    return value
