"""Security headers for the agent console, one definition for both places that serve it.

The console holds an agent token in web storage, so an injected script would be token theft:
the Content-Security-Policy allows scripts and styles from the console's own origin only (no
inline code, no eval), network access to the API, the WebSocket API and the attachments
bucket only, and no framing (clickjacking). The console has no inline script or style
(web/console/index.html), so nothing of it is lost.

* infra/hosting.yaml: CloudFront response headers policy on ``console/*``. Its CSP string is
  ``console_csp(HOSTING_CONNECT, HOSTING_IMG)`` written out with CloudFormation ``${...}``
  references; tests/infra/test_web_headers.py checks the two stay equal.
* infra/local/gateway.py: the local runtime sends ``console_headers(...)`` on ``/console/``
  with its own API/WebSocket/moto addresses.
"""
from __future__ import annotations

# (directive, sources); "{connect}" and "{img}" are filled in per deployment
DIRECTIVES = (
    ("default-src", "'none'"),
    ("script-src", "'self'"),
    ("style-src", "'self'"),
    ("img-src", "'self' data: {img}"),
    ("font-src", "'self'"),
    ("connect-src", "'self' {connect}"),
    ("manifest-src", "'self'"),
    ("media-src", "'self'"),
    ("form-action", "'self'"),
    ("frame-ancestors", "'none'"),
    ("base-uri", "'none'"),
    ("object-src", "'none'"),
)

# what hosting.yaml fills in (CloudFormation parameters / pseudo parameters)
HOSTING_CONNECT = "${ConsoleConnectSrc}"
HOSTING_IMG = "${ConsoleImgSrc}"


def console_csp(connect: str, img: str) -> str:
    return "; ".join(f"{name} {value.format(connect=connect, img=img)}".strip()
                     for name, value in DIRECTIVES)


def console_headers(connect: str, img: str) -> dict:
    """Every header the console's files are served with (hosting.yaml sets the same)."""
    return {
        "Content-Security-Policy": console_csp(connect, img),
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }
