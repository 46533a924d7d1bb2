"""PynamoDB models: the DynamoDB tables and their indexes.

infra/template.yaml declares the same tables; tests/integration/test_template_drift.py
keeps the two in step. Every request-path lookup is a GetItem or a Query on these keys.
"""
from __future__ import annotations

from pynamodb.attributes import (BooleanAttribute, MapAttribute, NumberAttribute,
                                 UnicodeAttribute, UnicodeSetAttribute, JSONAttribute,
                                 TTLAttribute)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from chalicelib import config


def _meta(table: str):
    class Meta:
        table_name = config.TABLES[table]
        region = config.region()
        host = config.dynamodb_endpoint()
        billing_mode = "PAY_PER_REQUEST"
    pool = config.aws_pool_size()
    if pool:
        Meta.max_pool_connections = pool
    return Meta


class VisitorExternalIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "external-index"
        projection = KeysOnlyProjection()
    external_key = UnicodeAttribute(hash_key=True)  # "{site_key}#{external_id}"


class VisitorNameIndex(GlobalSecondaryIndex):
    """Sparse: visitors with a name. Partition: the normalized name's first character."""
    class Meta:
        index_name = "name-index"
        projection = AllProjection()
    name_p = UnicodeAttribute(hash_key=True)
    name_lc = UnicodeAttribute(range_key=True)


class VisitorEmailIndex(GlobalSecondaryIndex):
    """Sparse: visitors with an email. Partition: the normalized email's first character."""
    class Meta:
        index_name = "email-index"
        projection = AllProjection()
    email_p = UnicodeAttribute(hash_key=True)
    email_lc = UnicodeAttribute(range_key=True)


class Visitor(Model):
    Meta = _meta("visitors")
    visitor_id = UnicodeAttribute(hash_key=True)
    site_key = UnicodeAttribute()
    name = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)
    locale = UnicodeAttribute(null=True)
    page_url = UnicodeAttribute(null=True)
    referrer = UnicodeAttribute(null=True)
    user_agent = UnicodeAttribute(null=True)
    external_key = UnicodeAttribute(null=True)
    attributes = JSONAttribute(null=True)
    tags = UnicodeSetAttribute(null=True)
    notes = UnicodeAttribute(null=True)
    visits = NumberAttribute(default=1)
    current_conversation_id = UnicodeAttribute(null=True)
    created_at = NumberAttribute()
    last_seen_at = NumberAttribute()
    name_p = UnicodeAttribute(null=True)      # lookup keys (domain/lookup.py)
    name_lc = UnicodeAttribute(null=True)
    email_p = UnicodeAttribute(null=True)
    email_lc = UnicodeAttribute(null=True)
    expires_at = TTLAttribute(null=True)      # the site's retention (domain/retention.py)
    external_index = VisitorExternalIndex()
    name_index = VisitorNameIndex()
    email_index = VisitorEmailIndex()


class ConversationVisitorIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "visitor-index"
        projection = AllProjection()
    visitor_id = UnicodeAttribute(hash_key=True)
    created_at = NumberAttribute(range_key=True)


class ConversationStatusIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "status-index"
        projection = AllProjection()
    status = UnicodeAttribute(hash_key=True)
    updated_at = NumberAttribute(range_key=True)


class ConversationAgentIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "agent-index"
        projection = AllProjection()
    agent_id = UnicodeAttribute(hash_key=True)
    updated_at = NumberAttribute(range_key=True)


class ConversationQueueIndex(GlobalSecondaryIndex):
    """Sparse: only conversations waiting for a human carry queue_key/queued_at."""
    class Meta:
        index_name = "queue-index"
        projection = AllProjection()
    queue_key = UnicodeAttribute(hash_key=True)   # team id or "_default"
    queued_at = NumberAttribute(range_key=True)


class Conversation(Model):
    Meta = _meta("conversations")
    conversation_id = UnicodeAttribute(hash_key=True)
    site_key = UnicodeAttribute()
    visitor_id = UnicodeAttribute()
    status = UnicodeAttribute()               # new | open | queued | assigned | closed
    channel = UnicodeAttribute(default="web")
    agent_id = UnicodeAttribute(null=True)    # assigned agent (sparse agent-index)
    team = UnicodeAttribute(null=True)
    participants = UnicodeSetAttribute(null=True)  # agent ids joined
    last_seq = NumberAttribute(default=0)
    rev = NumberAttribute(default=0)          # bumps on any state change (long-poll wake-up)
    reads = MapAttribute(null=True)           # {"visitor": seq, "<agent id>": seq}
    typing = MapAttribute(null=True)          # {"visitor": until_ms, "<agent id>": until_ms}
    sockets = MapAttribute(null=True)         # the visitor's open sockets {id: connected_at}
    holder_sockets = MapAttribute(null=True)  # {"agent": holder, "ids": {id: connected_at}}
    tags = UnicodeSetAttribute(null=True)
    bot_state = JSONAttribute(null=True)
    attrs = MapAttribute(null=True)           # reporting timestamps, rating, agent name...
    created_at = NumberAttribute()
    updated_at = NumberAttribute()
    last_message_at = NumberAttribute(null=True)
    queue_key = UnicodeAttribute(null=True)
    queued_at = NumberAttribute(null=True)
    retention_days = NumberAttribute(null=True)   # the site's, when it was created
    expires_at = TTLAttribute(null=True)
    visitor_index = ConversationVisitorIndex()
    status_index = ConversationStatusIndex()
    agent_index = ConversationAgentIndex()
    queue_index = ConversationQueueIndex()


class Message(Model):
    Meta = _meta("messages")
    conversation_id = UnicodeAttribute(hash_key=True)
    seq = NumberAttribute(range_key=True)
    message_id = UnicodeAttribute()
    client_message_id = UnicodeAttribute(null=True)
    sender_type = UnicodeAttribute()          # visitor | agent | bot | system
    sender_id = UnicodeAttribute(null=True)
    sender_name = UnicodeAttribute(null=True)
    type = UnicodeAttribute()                 # text | attachment | event | note
    text = UnicodeAttribute(null=True)
    attachment = JSONAttribute(null=True)
    event = JSONAttribute(null=True)
    extra = JSONAttribute(null=True)          # e.g. bot suggestions
    ctx = JSONAttribute(null=True)            # the conversation as of this write (events)
    created_at = NumberAttribute()
    expires_at = TTLAttribute(null=True)      # the conversation's retention


class ConnectionConversationIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "conversation-index"
        projection = AllProjection()
    conversation_id = UnicodeAttribute(hash_key=True)


class ConnectionAgentIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "agent-index"
        projection = AllProjection()
    agent_id = UnicodeAttribute(hash_key=True)


class ConnectionKindIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "kind-index"
        projection = AllProjection()
    kind = UnicodeAttribute(hash_key=True)


class Connection(Model):
    Meta = _meta("connections")
    connection_id = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute()                 # visitor | agent
    visitor_id = UnicodeAttribute(null=True)
    conversation_id = UnicodeAttribute(null=True)
    agent_id = UnicodeAttribute(null=True)
    role = UnicodeAttribute(null=True)        # agent connections: role and display name,
    name = UnicodeAttribute(null=True)        # so a frame needs no agent lookup
    session_id = UnicodeAttribute(null=True)  # agent connections: the sign-in (sign-out closes)
    teams = UnicodeSetAttribute(null=True)    # agent connections: who hears which team's chats
    site_key = UnicodeAttribute(null=True)
    connected_at = NumberAttribute()
    expires_at = TTLAttribute()
    conversation_index = ConnectionConversationIndex()
    agent_index = ConnectionAgentIndex()
    kind_index = ConnectionKindIndex()


class AgentEmailIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "email-index"
        projection = AllProjection()
    email = UnicodeAttribute(hash_key=True)


class AgentStatusIndex(GlobalSecondaryIndex):
    """Agents by presence, longest since their last assignment first."""
    class Meta:
        index_name = "status-index"
        projection = AllProjection()
    status = UnicodeAttribute(hash_key=True)
    last_assigned_at = NumberAttribute(range_key=True)


class Agent(Model):
    Meta = _meta("agents")
    agent_id = UnicodeAttribute(hash_key=True)
    email = UnicodeAttribute()
    name = UnicodeAttribute()
    role = UnicodeAttribute(default="agent")  # agent | supervisor | admin
    password_hash = UnicodeAttribute()
    disabled = BooleanAttribute(default=False)
    status = UnicodeAttribute(default="offline")  # online | away | offline
    capacity = NumberAttribute(default=5)
    active_count = NumberAttribute(default=0)
    teams = UnicodeSetAttribute(null=True)
    avatar_url = UnicodeAttribute(null=True)
    last_assigned_at = NumberAttribute(default=0)
    created_at = NumberAttribute()
    updated_at = NumberAttribute(null=True)
    # sessions: tokens carry the version they were signed with; bumping it (revoke-all,
    # password change) ends every session. Signed-out sessions: "{sid}@{ends_at}" until then.
    token_version = NumberAttribute(null=True)
    revoked_sessions = UnicodeSetAttribute(null=True)
    email_index = AgentEmailIndex()
    status_index = AgentStatusIndex()


class Site(Model):
    Meta = _meta("sites")
    site_key = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    settings = JSONAttribute(null=True)       # greeting, colours, hours, prechat, bot...
    identity_secret = UnicodeAttribute(null=True)        # sealed (adapters/sealing.py)
    identity_secret_previous = UnicodeAttribute(null=True)  # still valid while rotating
    created_at = NumberAttribute()
    updated_at = NumberAttribute(null=True)


class Key(Model):
    """Uniqueness claims and idempotency records: "msg#{conversation}#{sender}#{client id}" -> seq,
    "email#{address}" -> agent id, and the like. Items may carry a TTL."""
    Meta = _meta("keys")
    key = UnicodeAttribute(hash_key=True)
    value = UnicodeAttribute(null=True)
    count = NumberAttribute(null=True)        # counters (sign-in failures per window)
    expires_at = TTLAttribute(null=True)
    lease_until = NumberAttribute(null=True)  # a run in progress (ClaimRepo.begin), ms


class KbItem(Model):
    """The bot's data per site ("_common" is shared by every site): knowledge-base entries
    (sk "entry#<id>"), synonyms, flows and missed questions (sk "miss#<ts>#<id>")."""
    Meta = _meta("kb")
    site_key = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    data = JSONAttribute(null=True)
    updated_at = NumberAttribute(null=True)
    expires_at = TTLAttribute(null=True)


class DirectoryItem(Model):
    """Small administrative records: teams (kind "team"), canned responses (kind "canned")."""
    Meta = _meta("directory")
    kind = UnicodeAttribute(hash_key=True)
    id = UnicodeAttribute(range_key=True)
    data = JSONAttribute(null=True)
    updated_at = NumberAttribute(null=True)


class AuditItem(Model):
    """The audit log: append-only (the functions may only put new items and query).
    Partition: "{scope}#{YYYY-MM}" (scope "global"); sort: "{ts ms, 13 digits}#{id}"."""
    Meta = _meta("audit")
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    at = NumberAttribute()
    action = UnicodeAttribute()
    actor_id = UnicodeAttribute()
    actor_name = UnicodeAttribute(null=True)
    actor_role = UnicodeAttribute(null=True)
    target_type = UnicodeAttribute(null=True)
    target_id = UnicodeAttribute(null=True)
    site_key = UnicodeAttribute(null=True)
    source_ip = UnicodeAttribute(null=True)
    details = JSONAttribute(null=True)




class ReportItem(Model):
    """Reports (chalicelib/adapters/reports.py writes it with low-level calls, since the
    counter attribute names are data): per-conversation consumer state ("conv#{id}",
    "state") and per-site day buckets ("site#{site}", "day#{YYYY-MM-DD}")."""
    Meta = _meta("reports")
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    expires_at = TTLAttribute(null=True)


class QaSiteIndex(GlobalSecondaryIndex):
    """A site's inspected conversations by close time (the review list, low scores)."""
    class Meta:
        index_name = "site-index"
        projection = AllProjection()
    site_key = UnicodeAttribute(hash_key=True)
    closed_at = NumberAttribute(range_key=True)


class QaAgentIndex(GlobalSecondaryIndex):
    """An agent's inspected conversations by close time (their own results)."""
    class Meta:
        index_name = "agent-index"
        projection = AllProjection()
    agent_id = UnicodeAttribute(hash_key=True)
    closed_at = NumberAttribute(range_key=True)


class QaResult(Model):
    """Quality inspection (质检): the automatic score of one closed conversation
    (chalicelib/domain/qa), rewritten when the conversation is rated or closed again."""
    Meta = _meta("qa")
    conversation_id = UnicodeAttribute(hash_key=True)
    site_key = UnicodeAttribute()
    agent_id = UnicodeAttribute(null=True)
    closed_at = NumberAttribute()
    score = NumberAttribute()
    result = JSONAttribute()                  # checks, findings, masked texts
    updated_at = NumberAttribute()
    site_index = QaSiteIndex()
    agent_index = QaAgentIndex()


class IntegrationSiteIndex(GlobalSecondaryIndex):
    """Sparse: only webhook endpoints carry site_key (the consumer's per-site lookup)."""
    class Meta:
        index_name = "site-index"
        projection = AllProjection()
    site_key = UnicodeAttribute(hash_key=True)
    created_at = NumberAttribute(range_key=True)


class Integration(Model):
    """Outgoing webhooks and API keys (adapters/integrations.py): endpoints (pk "ep#{id}",
    sk "ep"), their deliveries (pk "ep#{id}", sk "dl#{id}", TTL 30 days) and API keys
    (pk "apikeys", sk the key id; only the key's hash is stored)."""
    Meta = _meta("integrations")
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    site_key = UnicodeAttribute(null=True)
    created_at = NumberAttribute(null=True)
    data = JSONAttribute(null=True)
    enabled = BooleanAttribute(null=True)
    status = UnicodeAttribute(null=True)           # deliveries: pending|retrying|succeeded|parked
    attempts = NumberAttribute(null=True)
    failing_since = NumberAttribute(null=True)     # endpoints: first failure since a success
    consecutive_parked = NumberAttribute(null=True)
    last_used_at = NumberAttribute(null=True)      # API keys, written at most once a minute
    revoked_at = NumberAttribute(null=True)
    expires_at = TTLAttribute(null=True)
    site_index = IntegrationSiteIndex()


class TicketStatusIndex(GlobalSecondaryIndex):
    """A site's tickets in one status, latest change first ("{site}#{status}")."""
    class Meta:
        index_name = "status-index"
        projection = AllProjection()
    site_status = UnicodeAttribute(hash_key=True)
    updated_at = NumberAttribute(range_key=True)


class TicketAssigneeIndex(GlobalSecondaryIndex):
    """A site's tickets of one assignee ("{site}#{agent id}"; "{site}#-": unassigned)."""
    class Meta:
        index_name = "assignee-index"
        projection = AllProjection()
    assignee_key = UnicodeAttribute(hash_key=True)
    updated_at = NumberAttribute(range_key=True)


class TicketTeamIndex(GlobalSecondaryIndex):
    """A site's tickets of one team ("{site}#{team}"; "_default": no team)."""
    class Meta:
        index_name = "team-index"
        projection = AllProjection()
    team_key = UnicodeAttribute(hash_key=True)
    updated_at = NumberAttribute(range_key=True)


class TicketRequesterIndex(GlobalSecondaryIndex):
    """A requester's tickets ("{site}#v#{visitor id}" or "{site}#e#{email}")."""
    class Meta:
        index_name = "requester-index"
        projection = AllProjection()
    requester_key = UnicodeAttribute(hash_key=True)
    created_at = NumberAttribute(range_key=True)


class TicketDueIndex(GlobalSecondaryIndex):
    """Sparse: open tickets with an SLA due time still to watch; partition "sla#{0..3}"."""
    class Meta:
        index_name = "due-index"
        projection = AllProjection()
    due_p = UnicodeAttribute(hash_key=True)
    next_due = NumberAttribute(range_key=True)


class TicketItem(Model):
    """Tickets (chalicelib/adapters/tickets.py): pk "t#{ticket id}" holds the ticket (sk
    "ticket"), its comments ("c#{version}#{id}"), history ("h#{version}#{id}", the outbox of the
    ticket.* events) and transcript ("transcript"); "seq#{site}" numbers a site's tickets;
    "cfg#{site}" holds custom fields and the SLA policy; "src#..", "mid#..", "tok#.." map a
    source, a mail Message-ID and a reply token to a ticket. Index keys only on tickets."""
    Meta = _meta("tickets")
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = UnicodeAttribute(null=True)
    data = JSONAttribute(null=True)
    ref = UnicodeAttribute(null=True)          # claims: the ticket id
    counter = NumberAttribute(null=True)
    site_key = UnicodeAttribute(null=True)
    version = NumberAttribute(null=True)
    site_status = UnicodeAttribute(null=True)
    assignee_key = UnicodeAttribute(null=True)
    team_key = UnicodeAttribute(null=True)
    requester_key = UnicodeAttribute(null=True)
    due_p = UnicodeAttribute(null=True)
    next_due = NumberAttribute(null=True)
    created_at = NumberAttribute(null=True)
    updated_at = NumberAttribute(null=True)
    status_index = TicketStatusIndex()
    assignee_index = TicketAssigneeIndex()
    team_index = TicketTeamIndex()
    requester_index = TicketRequesterIndex()
    due_index = TicketDueIndex()


class ContactSiteIndex(GlobalSecondaryIndex):
    """A site's live contacts, last updated first (tombstones carry no list_site)."""
    class Meta:
        index_name = "site-index"
        projection = AllProjection()
    list_site = UnicodeAttribute(hash_key=True)
    updated_at = NumberAttribute(range_key=True)


class ContactOwnerIndex(GlobalSecondaryIndex):
    """Sparse: contacts with an owner ("{site}#{agent id}"), last updated first."""
    class Meta:
        index_name = "owner-index"
        projection = AllProjection()
    owner_key = UnicodeAttribute(hash_key=True)
    updated_at = NumberAttribute(range_key=True)


class ContactLeadIndex(GlobalSecondaryIndex):
    """Sparse: leads, "{site}#pool" (unclaimed) or "{site}#{status}" (claimed)."""
    class Meta:
        index_name = "lead-index"
        projection = AllProjection()
    lead_key = UnicodeAttribute(hash_key=True)
    updated_at = NumberAttribute(range_key=True)


class ContactDueIndex(GlobalSecondaryIndex):
    """Sparse: claimed open leads by the time they return to the pool (the sweep)."""
    class Meta:
        index_name = "due-index"
        projection = KeysOnlyProjection()
    due_p = UnicodeAttribute(hash_key=True)
    due_at = NumberAttribute(range_key=True)


class ContactRemindIndex(GlobalSecondaryIndex):
    """Sparse: an owner's open leads by next follow-up time (due reminders)."""
    class Meta:
        index_name = "remind-index"
        projection = AllProjection()
    remind_owner = UnicodeAttribute(hash_key=True)
    next_contact_at = NumberAttribute(range_key=True)


class ContactItem(Model):
    """Contacts (chalicelib/adapters/contacts.py): the profile ("contact#{id}", "profile"),
    its timeline ("contact#{id}", "t#{ms}#{event id}"), identity claims
    ("ident#{site}#{kind}:{value}", "identity" -> contact id: one identity, one contact), tag
    memberships ("tag#{site}#{tag}", "contact#{id}") and per-site settings ("site#{site}",
    "fields" / "forms")."""
    Meta = _meta("contacts")
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    contact_id = UnicodeAttribute(null=True)
    site_key = UnicodeAttribute(null=True)
    data = JSONAttribute(null=True)
    version = NumberAttribute(null=True)
    at = NumberAttribute(null=True)
    list_site = UnicodeAttribute(null=True)
    updated_at = NumberAttribute(null=True)
    owner_key = UnicodeAttribute(null=True)
    lead_key = UnicodeAttribute(null=True)
    due_p = UnicodeAttribute(null=True)
    due_at = NumberAttribute(null=True)
    remind_owner = UnicodeAttribute(null=True)
    next_contact_at = NumberAttribute(null=True)
    site_index = ContactSiteIndex()
    owner_index = ContactOwnerIndex()
    lead_index = ContactLeadIndex()
    due_index = ContactDueIndex()
    remind_index = ContactRemindIndex()


ALL_MODELS = [Visitor, Conversation, Message, Connection, Agent, Site, Key, KbItem,
              DirectoryItem, AuditItem, ReportItem, QaResult, Integration, TicketItem,
              ContactItem]
