"""Tickets (工单): pure rules. No AWS, no I/O.

model.py (fields, statuses, transitions and the events/history they produce), fields.py
(admin-defined custom fields), business_time.py (counting in business hours), sla.py (due
times, pauses, breaches), access.py (who may see and change a ticket)."""
