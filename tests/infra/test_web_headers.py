"""The console's security headers: hosting.yaml (CloudFront) and the local runtime send the
same policy (infra/web_headers.py), and the policy is strict."""
from pathlib import Path

from infra.resources import load_template
from infra.web_headers import (DIRECTIVES, HOSTING_CONNECT, HOSTING_IMG, console_csp,
                               console_headers)

ROOT = Path(__file__).resolve().parents[2]
HOSTING = load_template(ROOT / "infra" / "hosting.yaml")["Resources"]


def _policy():
    return HOSTING["ConsoleHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"][
        "SecurityHeadersConfig"]


def test_hosting_sends_the_same_csp_as_the_local_runtime():
    csp = _policy()["ContentSecurityPolicy"]
    assert csp["Override"] is True
    template, variables = csp["ContentSecurityPolicy"]["Sub"]
    assert template == console_csp(HOSTING_CONNECT, HOSTING_IMG)
    assert set(variables) == {"ConsoleConnectSrc", "ConsoleImgSrc"}


def test_hosting_sends_the_other_console_headers():
    policy = _policy()
    local = console_headers("", "")
    assert policy["FrameOptions"]["FrameOption"] == local["X-Frame-Options"] == "DENY"
    assert policy["ReferrerPolicy"]["ReferrerPolicy"] == local["Referrer-Policy"]
    assert policy["ContentTypeOptions"]["Override"] is True
    assert policy["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000


def test_the_console_path_uses_the_policy():
    config = HOSTING["Distribution"]["Properties"]["DistributionConfig"]
    console = [b for b in config["CacheBehaviors"] if b["PathPattern"] == "console/*"]
    assert len(console) == 1
    assert console[0]["ResponseHeadersPolicyId"] == {"Ref": "ConsoleHeadersPolicy"}
    assert console[0]["ViewerProtocolPolicy"] == "redirect-to-https"


def test_the_csp_forbids_inline_code_eval_framing_and_foreign_scripts():
    d = dict(DIRECTIVES)
    assert d["default-src"] == "'none'"
    assert d["script-src"] == d["style-src"] == "'self'"
    assert d["frame-ancestors"] == "'none'" and d["object-src"] == "'none'"
    assert d["base-uri"] == "'none'"
    csp = console_csp("wss://ws.example", "https://s3.example")
    for loose in ("unsafe-inline", "unsafe-eval", "*", "http:", "https:;"):
        assert loose not in csp.replace("https://", "").replace("wss://", ""), loose
    assert "connect-src 'self' wss://ws.example;" in csp
    assert "img-src 'self' data: https://s3.example;" in csp


def test_the_console_page_has_no_inline_script_or_style():
    html = (ROOT / "web" / "console" / "index.html").read_text()
    import re
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert "<style" not in html and " style=" not in html
    assert not re.search(r"\son[a-z]+=", html)
