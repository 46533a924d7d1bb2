"""The administration command line creates admins, agents and sites in the app's tables."""
import io
import json

from chalicelib import cli
from chalicelib.services import agents


def test_create_admin_then_agent_and_log_in(deps, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("first admin password\n"))
    assert cli.main(["create-agent", "--email", "Boss@Example.com", "--name", "Boss",
                     "--role", "admin", "--password-stdin"]) == 0
    created = json.loads(capsys.readouterr().out)
    assert created["role"] == "admin" and created["email"] == "boss@example.com"
    assert "password_hash" not in created
    login = agents.login(deps, {"email": "boss@example.com", "password": "first admin password"})
    assert login["agent"]["agent_id"] == created["agent_id"]

    # a team must exist first (as through the admin API): an unknown one changes nothing
    monkeypatch.setattr("sys.stdin", io.StringIO("agent password 1\n"))
    assert cli.main(["create-agent", "--email", "amy@example.com", "--name", "Amy",
                     "--team", "billing", "--password-stdin"]) == 1
    assert "unknown_team" in capsys.readouterr().err
    assert deps.agents.by_email("amy@example.com") is None
    deps.directory.create("team", "billing", {"name": "Billing"})
    monkeypatch.setattr("sys.stdin", io.StringIO("agent password 1\n"))
    assert cli.main(["create-agent", "--email", "amy@example.com", "--name", "Amy",
                     "--team", "billing", "--capacity", "3", "--password-stdin"]) == 0
    amy = deps.agents.by_email("amy@example.com")
    assert amy["role"] == "agent" and amy["capacity"] == 3 and amy["teams"] == ["billing"]


def test_errors_are_reported_and_change_nothing(deps, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert cli.main(["create-agent", "--email", "x@example.com", "--name", "X",
                     "--password-stdin"]) == 1
    assert "too_short" in capsys.readouterr().err
    assert deps.agents.by_email("x@example.com") is None
    monkeypatch.setattr("sys.stdin", io.StringIO("long enough pw\n"))
    assert cli.main(["create-agent", "--email", "y@example.com", "--name", "Y",
                     "--password-stdin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("long enough pw\n"))
    assert cli.main(["create-agent", "--email", "y@example.com", "--name", "Y2",
                     "--password-stdin"]) == 1
    assert "email_taken" in capsys.readouterr().err


def test_create_site(deps, capsys):
    assert cli.main(["create-site", "--site-key", "shop", "--name", "Shop"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["site_key"] == "shop" and len(out["identity_secret"]) == 64
    assert deps.sites.get("shop")["name"] == "Shop"
