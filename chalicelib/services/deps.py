"""The adapters a service needs, passed in as one object (tests swap any of them)."""
from __future__ import annotations

import time
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
    attempts: Any = None      # LoginAttempts: sign-in failure counters and locks
    sessions: Any = None      # AgentSessions: token version and signed-out sessions
    audit: Any = None         # AuditRepo: the append-only audit log
    rates: Any = None         # RateCounter: per-site fixed-window counters (services/throttle)
    clock: Callable[[], float] = time.time   # seconds; tests install a simulated clock
    sealing_keys: Callable[[], list] | None = None  # keys sealing site identity secrets
    events: Any = None        # EventBus (SNS): the conversation event stream's topic
    reports: Any = None       # ReportsRepo: report state and day buckets
    qa: Any = None            # QaRepo: quality-inspection results
    channels: Any = None      # ChannelAdapters: channel records, links, secrets, tokens, WeChat
    qa_reviews: Any = None    # QaReviewRepo: rubrics and manual reviews (the qa table)
    qa_figures: Any = None    # QaFiguresRepo: QA day aggregates (the qa table)
    integrations: Any = None  # IntegrationsRepo: webhook endpoints, deliveries, API keys
    webhook_http: Callable | None = None  # post(url, body, headers) -> Result (SSRF-guarded)
    mail: Any = None          # MailStore (S3): raw inbound mail, files mail carries
    records: Any = None       # RecordsRepo: chat records, token postings, export jobs
    exports: Any = None       # ExportStore (S3): export files and their download links
    archive: Any = None       # ArchiveStore (S3): closed conversations as JSON Lines
    tickets: Any = None       # TicketRepo: tickets, comments, history, ticket settings
    contacts: Any = None      # ContactsRepo: contacts, identities, timelines, leads
    # the bot's optional sentence encoder (requirements-semantic.txt), loaded on first use;
    # returns None when it is not installed: the matcher is then lexical only
    bot_encoder: Callable[[], Any] = lambda: None
    extras: dict = field(default_factory=dict)
    # what runs when (declared in chalicelib/bootstrap.py, attached by bootstrap.wire)
    task_handlers: dict = field(default_factory=dict)     # SQS task type -> fn(deps, body)
    message_hooks: dict = field(default_factory=dict)     # "visitor"/"agent" -> [fn(deps, conv, msg)]
    disconnect_hooks: list = field(default_factory=list)  # fn(deps, connection row | None)
    channel_senders: dict = field(default_factory=dict)   # channel kind -> fn(deps, ch, conv, msg)
    _signer: Any = None

    @property
    def signer(self):
        if self._signer is None:
            self._signer = self.signer_factory()
        return self._signer


def build_default() -> Deps:
    """Deps holding the real AWS adapters (DynamoDB, API Gateway, S3, Secrets Manager), with
    no handlers: chalicelib.bootstrap.build() adds those."""
    from chalicelib.adapters import dynamo
    from chalicelib.adapters import waiting as waiting_adapter
    from chalicelib.adapters.agent_sessions import AgentSessions, LoginAttempts
    from chalicelib.adapters.audit import AuditRepo
    from chalicelib.adapters.channels import channel_adapters
    from chalicelib.adapters.contacts import ContactsRepo
    from chalicelib.adapters.encoder import load as bot_encoder
    from chalicelib.adapters.site_secrets import sealing_keys
    from chalicelib.adapters.directory import DirectoryRepo
    from chalicelib.adapters.secrets import key_ring
    from chalicelib.adapters.sender import WebSocketSender
    from chalicelib.adapters.email import EmailSender
    from chalicelib.adapters.eventbus import EventBus
    from chalicelib.adapters.mail import MailStore
    from chalicelib.adapters.queue import QueuePublisher
    from chalicelib.adapters.ratelimit import RateCounter
    from chalicelib.adapters.qa import QaRepo
    from chalicelib.adapters.qa_reviews import QaFiguresRepo, QaReviewRepo
    from chalicelib.adapters.integrations import IntegrationsRepo
    from chalicelib.adapters import webhook_http
    from chalicelib.adapters.archive import ArchiveStore
    from chalicelib.adapters.connections import ConnectionRepo
    from chalicelib.adapters.exports import ExportStore
    from chalicelib.adapters.records import RecordsRepo
    from chalicelib.adapters.reports import ReportsRepo
    from chalicelib.adapters.storage import AttachmentStore
    from chalicelib.adapters.tickets import TicketRepo
    from chalicelib.security import TokenSigner

    def signer() -> TokenSigner:
        ring = key_ring()      # rereads a rotated secret (chalicelib/adapters/secrets.py)
        return TokenSigner(ring.keys, refresh=ring.refresh, clock=lambda: deps.clock())

    deps = Deps(
        visitors=dynamo.VisitorRepo(),
        conversations=dynamo.ConversationRepo(),
        messages=dynamo.MessageRepo(),
        connections=ConnectionRepo(),
        agents=dynamo.AgentRepo(),
        sites=dynamo.SiteRepo(),
        sender=WebSocketSender(),
        storage=AttachmentStore(),
        signer_factory=signer,
        queue=QueuePublisher(),
        waiting=waiting_adapter.QueueRepo(),
        email=EmailSender(),
        claims=dynamo.ClaimRepo(),
        directory=DirectoryRepo(),
        attempts=LoginAttempts(),
        sessions=AgentSessions(),
        audit=AuditRepo(),
        sealing_keys=sealing_keys,
        rates=RateCounter(),
        events=EventBus(),
        reports=ReportsRepo(),
        qa=QaRepo(),
        channels=channel_adapters(),
        qa_reviews=QaReviewRepo(),
        qa_figures=QaFiguresRepo(),
        integrations=IntegrationsRepo(),
        webhook_http=webhook_http.post,
        mail=MailStore(),
        records=RecordsRepo(),
        exports=ExportStore(),
        archive=ArchiveStore(),
        tickets=TicketRepo(),
        contacts=ContactsRepo(),
        bot_encoder=bot_encoder,
    )
    return deps
