"""Contacts and leads: pure rules (no AWS). One person across channels (identities), admin
defined custom fields, merge rules, the leads pipeline and CSV. docs/contacts.md."""
