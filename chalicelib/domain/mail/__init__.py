"""Inbound and outbound mail rules, plain Python on the stdlib `email` package (no AWS).

parse.parse_mail(raw) -> Parsed (the ParsedMail, the attachment bytes, why it is dropped);
compose.ticket_reply(...) -> the MIME bytes of an outbound reply.
"""
