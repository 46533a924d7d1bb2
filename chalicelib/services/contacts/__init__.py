"""Contacts use cases (docs/contacts.md): records and fields (records.py), linking visitors
(links.py), the timeline consumer (timeline.py), merging (merging.py), the leads pool
(leads.py)."""
