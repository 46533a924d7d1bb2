"""Erasing one person's records from the chat tables (privacy deletion): a conversation's
messages page by page (Query on its key, DeleteItem each), the conversation, the visitor and
the quality result. Every read is a key Query; nothing scans."""
from __future__ import annotations

from chalicelib.adapters import models as m

PAGE = 100


def conversation_messages(conversation_id: str, after_seq: int = 0, limit: int = PAGE):
    return list(m.Message.query(conversation_id, m.Message.seq > after_seq, limit=limit))


def erase_conversation(conversation_id: str) -> list[str]:
    """Delete the messages and the conversation; returns the attachment keys they held."""
    keys = []
    while True:
        page = conversation_messages(conversation_id)
        for msg in page:
            if msg.attachment and msg.attachment.get("key"):
                keys.append(msg.attachment["key"])
            msg.delete()
        if len(page) < PAGE:
            break
    m.Conversation(conversation_id).delete()
    m.QaResult(conversation_id).delete()
    return keys


def erase_visitor(visitor_id: str) -> None:
    m.Visitor(visitor_id).delete()
