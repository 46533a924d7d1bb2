"""The adapters a service needs, passed in as one object (tests swap any of them)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable


@dataclass
class Deps:
    visitors: Any
    conversations: Any
    messages: Any
    connections: Any
    agents: Any
    sites: Any
    sender: Any
    storage: Any
    signer_factory: Callable[[], Any]
    queue: Any = None
    waiting: Any = None       # QueueRepo: the waiting line and assignment transactions
    email: Any = None         # EmailSender (SES)
    claims: Any = None        # ClaimRepo: once-only side effects
    directory: Any = None
    reports: Any = None       # ReportsRepo: report state and day buckets
    extras: dict = field(default_factory=dict)
    _signer: Any = None

    @property
    def signer(self):
        if self._signer is None:
            self._signer = self.signer_factory()
        return self._signer


def build_default() -> Deps:
    """Deps wired to the real AWS adapters (DynamoDB, API Gateway, S3, Secrets Manager)."""
    from chalicelib.adapters import dynamo
    from chalicelib.adapters.directory import DirectoryRepo
    from chalicelib.adapters.secrets import token_keys
    from chalicelib.adapters.sender import WebSocketSender
    from chalicelib.adapters.email import EmailSender
    from chalicelib.adapters.queue import QueuePublisher
    from chalicelib.adapters.reports import ReportsRepo
    from chalicelib.adapters.storage import AttachmentStore
    from chalicelib.security import TokenSigner

    return Deps(
        visitors=dynamo.VisitorRepo(),
        conversations=dynamo.ConversationRepo(),
        messages=dynamo.MessageRepo(),
        connections=dynamo.ConnectionRepo(),
        agents=dynamo.AgentRepo(),
        sites=dynamo.SiteRepo(),
        sender=WebSocketSender(),
        storage=AttachmentStore(),
        signer_factory=lambda: TokenSigner(token_keys()),
        queue=QueuePublisher(),
        waiting=dynamo.QueueRepo(),
        email=EmailSender(),
        claims=dynamo.ClaimRepo(),
        directory=DirectoryRepo(),
        reports=ReportsRepo(),
    )
