"""Tickets (工单) use cases: create (API, chat, left message, mail), read, list, update,
comment, admin config, the SLA sweep, the requester's view and the mail port."""
