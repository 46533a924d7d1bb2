"""Fixtures for the agent console's browser tests (tests/browser/test_console.py).

  rest            small JSON-over-HTTP client for the runtime's REST API
  admin_token     the demo admin's agent token
  make_agent      make_agent(role="agent", teams=[...]) -> {"email", "password", "agent_id", ...};
                  the general queue is emptied first (earlier tests may leave chats there)
  make_team       make_team(manual=False) -> team id (unique per call)
  console         console(creds) -> Page signed in to /console/, socket live, set online
  visitor         visitor() -> RestVisitor: a widget visitor driven through the REST API
"""
from __future__ import annotations

import time
import uuid

import pytest
from tests.helpers.http import http


class Rest:
    def __init__(self, rt):
        self.rt = rt

    def call(self, method, path, body=None, token=None, expect=(200, 201)):
        status, data = http(method, f"{self.rt.api_url}{path}", body, token)
        if expect is not None:
            assert status in expect, (method, path, status, data)
        return data


class RestVisitor:
    """The visitor side through the REST API (the widget's own transport is tested in
    test_widget.py)."""

    def __init__(self, rest: Rest, name: str):
        self.rest = rest
        data = rest.call("POST", "/visitor/sessions",
                         {"site_key": "demo", "name": name,
                          "email": f"{uuid.uuid4().hex[:8]}@visitor.example",
                          "page_url": "https://shop.example/pricing",
                          "user_agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0 Safari/537.36"})
        self.token = data["token"]
        self.cid = data["conversation_id"]
        self.visitor_id = data["visitor_id"]

    def say(self, text):
        return self.rest.call("POST", f"/visitor/conversations/{self.cid}/messages",
                              {"client_message_id": uuid.uuid4().hex, "text": text},
                              self.token)["message"]

    def handoff(self, team=None):
        return self.rest.call("POST", f"/visitor/conversations/{self.cid}/handoff",
                              {"team": team} if team else {}, self.token)

    def rate(self, score, comment=None):
        body = {"score": score}
        if comment:
            body["comment"] = comment
        return self.rest.call("POST", f"/visitor/conversations/{self.cid}/rating", body,
                              self.token)

    def messages(self):
        return self.rest.call("GET", f"/visitor/conversations/{self.cid}/messages?after=0&limit=200",
                              None, self.token)["messages"]

    def wait_text(self, text, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if any(m.get("text") == text for m in self.messages()):
                return
            time.sleep(0.25)
        raise AssertionError(f"the visitor never saw {text!r}")


@pytest.fixture
def rest(runtime):
    return Rest(runtime)


@pytest.fixture
def admin_token(rest, runtime):
    c = runtime.credentials
    data = rest.call("POST", "/agent/login", {"email": c.get("admin_email", "admin@demo.parley"),
                                              "password": c["admin_password"]})
    return data["token"]


@pytest.fixture
def make_team(rest, admin_token):
    def make(manual=False):
        team_id = f"t-{uuid.uuid4().hex[:8]}"
        rest.call("POST", "/admin/teams", {"id": team_id, "name": f"Team {team_id}",
                                           "manual_assign": manual}, admin_token)
        # visitors of the demo site may ask for it by name (a site's settings name its teams)
        site = rest.call("GET", "/admin/sites/demo", None, admin_token)["site"]
        # a team an earlier test deleted would make the whole list unknown_team
        known = {t["id"] for t in rest.call("GET", "/admin/teams", None, admin_token)["teams"]}
        teams = [t for t in (site.get("settings") or {}).get("teams") or [] if t in known]
        rest.call("PUT", "/admin/sites/demo", {"teams": (teams + [team_id])[-20:]}, admin_token)
        return team_id
    return make


def delete_team(rest, admin_token, team_id):
    """Delete a team behind an open page. The demo site names every team make_team made, and
    a team something names is not deleted (409 team_in_use), so the site lets go of it first."""
    site = rest.call("GET", "/admin/sites/demo", None, admin_token)["site"]
    teams = [t for t in (site.get("settings") or {}).get("teams") or [] if t != team_id]
    rest.call("PUT", "/admin/sites/demo", {"teams": teams}, admin_token)
    rest.call("DELETE", f"/admin/teams/{team_id}", None, admin_token)


def close_general_queue(rest, admin_token):
    """Every agent serves the general queue: chats an earlier test left waiting there would be
    assigned to this test's agents the moment they go online (and fill their capacity)."""
    for _ in range(5):
        waiting = [c["conversation_id"] for c in
                   rest.call("GET", "/agent/queue", None, admin_token)["conversations"]
                   if c.get("queue_key") in (None, "_default")]
        if not waiting:
            return
        for cid in waiting:
            rest.call("POST", f"/agent/conversations/{cid}/close", {}, admin_token,
                      expect=None)


@pytest.fixture
def make_agent(rest, admin_token):
    made = []
    close_general_queue(rest, admin_token)      # before the test makes anything

    def make(role="agent", teams=None, capacity=5, name=None):
        email = f"{role}-{uuid.uuid4().hex[:8]}@agents.example"
        password = "console-pass-1"
        body = {"email": email, "name": name or f"{role.title()} {email[-19:-15]}",
                "password": password, "role": role, "capacity": capacity}
        if teams:
            body["teams"] = teams
        agent = rest.call("POST", "/admin/agents", body, admin_token)["agent"]
        made.append(agent["agent_id"])
        return {**agent, "password": password}

    yield make
    # leave nobody online (or able to take chats) for the tests that follow
    for agent_id in made:
        rest.call("PATCH", f"/admin/agents/{agent_id}", {"disabled": True, "capacity": 0},
                  admin_token, expect=None)


@pytest.fixture
def console(new_page, runtime):
    def open_console(creds, online=True, context=None, viewport=None):
        page = new_page("/console/", viewport=viewport or {"width": 1280, "height": 800},
                        context=context)
        page.locator("#login-email").fill(creds["email"])
        page.locator("#login-password").fill(creds["password"])
        page.locator("#login-form button[type=submit]").click()
        page.wait_for_function("() => window.ParleyConsole && ParleyConsole.state().ws === 'online'",
                               timeout=20000)
        if online:
            page.locator("#presence").click()
            page.wait_for_function("() => ParleyConsole.state().me.status === 'online'",
                                   timeout=10000)
        return page
    return open_console


@pytest.fixture
def visitor(rest):
    def make(name="Visitor"):
        return RestVisitor(rest, name)
    return make
