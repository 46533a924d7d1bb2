"""Demo data for the local runtime: a site and an admin agent. Extend seed_demo() with more.

Idempotent: re-running against the same resources (e.g. --aws-endpoint pointing at a moto
that is still up) keeps what exists.
"""
from __future__ import annotations

import os

DEMO_SITE_KEY = "demo"
DEMO_ADMIN_EMAIL = "admin@demo.parley"
DEMO_ADMIN_PASSWORD = os.environ.get("PARLEY_DEMO_PASSWORD", "parley-demo-admin")


def seed_demo(deps) -> dict:
    """Create the demo site and admin; return what a human (or a test) needs to log in."""
    from chalicelib.errors import Conflict
    from chalicelib.services import agents, sites

    if not deps.sites.get(DEMO_SITE_KEY):
        sites.create_site(deps, DEMO_SITE_KEY, "Demo site")
    try:
        agents.create_agent(deps, {"email": DEMO_ADMIN_EMAIL, "name": "Demo Admin",
                                   "password": DEMO_ADMIN_PASSWORD, "role": "admin"})
    except Conflict as err:
        if getattr(err, "code", None) != "email_taken":
            raise
    return {"site_key": DEMO_SITE_KEY, "admin_email": DEMO_ADMIN_EMAIL,
            "admin_password": DEMO_ADMIN_PASSWORD}
