"""Contacts CSV over HTTP on moto: an import with one bad row writes nothing and names the
line; the fixed file imports, a retry of the same file re-creates nothing; the export is
UTF-8 with a BOM and round-trips the Chinese text."""
import app as app_module
from chalicelib.services import agents as agent_svc
from chalicelib.services.contacts import links
from tests.helpers.api import Api

GOOD = ("name,emails,phones,tags,notes\r\n"
        "王芳,fang@example.cn,138 0013 8000,重要|vip,喜欢喝茶\r\n"
        "李雷,lei@example.cn,,,\r\n")


def test_import_is_all_or_nothing_idempotent_and_exports_back(deps, site):
    api = Api(app_module.app)
    agent_svc.create_agent(deps, {"email": "sue@example.com", "name": "Sue",
                                  "password": "password1", "role": "supervisor"})
    agent_svc.create_agent(deps, {"email": "ann@example.com", "name": "Ann",
                                  "password": "password1", "role": "agent"})
    sue = api.agent_login("sue@example.com", "password1")["token"]
    ann = api.agent_login("ann@example.com", "password1")["token"]
    held = links.link(deps, "demo", "v_1", email="taken@example.cn")
    bad = GOOD + "韩梅梅,taken@example.cn,,,\r\n" + "坏,,12,,\r\n"
    status, data = api.post("/v1/agent/contacts/import", {"site_key": "demo", "csv": bad}, ann)
    assert status == 403
    status, data = api.post("/v1/agent/contacts/import", {"site_key": "demo", "csv": bad}, sue)
    assert status == 400 and data["error"]["code"] == "invalid_csv", data
    errors = data["error"]["details"]["errors"]
    assert [e["line"] for e in errors] == [5]                      # the phone "12"
    status, data = api.get("/v1/agent/contacts?site_key=demo", sue)
    assert [c["contact_id"] for c in data["contacts"]] == [held["contact_id"]]   # nothing
    bad = GOOD + "韩梅梅,taken@example.cn,,,\r\n"
    status, data = api.post("/v1/agent/contacts/import", {"site_key": "demo", "csv": bad}, sue)
    assert status == 400 and data["error"]["details"]["errors"][0]["line"] == 4
    assert held["contact_id"] in data["error"]["details"]["errors"][0]["message"]

    status, data = api.post("/v1/agent/contacts/import", {"site_key": "demo", "csv": GOOD}, sue)
    assert status == 200 and (data["imported"], data["skipped"]) == (2, 0), data
    status, data = api.post("/v1/agent/contacts/import", {"site_key": "demo", "csv": GOOD}, sue)
    assert status == 200 and (data["imported"], data["skipped"]) == (0, 2)
    assert deps.contacts.owner_of("demo", "phone:+8613800138000") is not None

    status, body = api.get("/v1/agent/contacts/export?site_key=demo&tag=vip", sue)
    assert status == 200, body
    text = body.decode("utf-8") if isinstance(body, bytes) else body
    assert isinstance(text, str) and text.startswith("\ufeff"), text
    assert "王芳" in text and "fang@example.cn" in text and "vip|重要" in text
    assert "李雷" not in text                                       # only the tag
