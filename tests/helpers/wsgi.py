"""A WSGI face for the Chalice app (tests only), so WSGI test tools (schemathesis) can drive
it in-process through Chalice's local API Gateway emulation (as chalice.test and the local
runtime, infra/local/gateway.py, do)."""
from __future__ import annotations

import base64
from http import HTTPStatus
from urllib.parse import quote


class ChaliceWSGI:
    def __init__(self, app, stage: str = "dev"):
        from chalice.config import Config
        from chalice.local import LocalGateway
        self.gateway = LocalGateway(app, Config(chalice_stage=stage))

    def __call__(self, environ, start_response):
        from chalice.local import LocalGatewayException
        # PATH_INFO arrives decoded: encode it again, everything but "/" (a raw ";" or "?"
        # would be read as a delimiter, which API Gateway never does with an encoded one)
        path = quote(environ.get("PATH_INFO", "/").encode("latin-1"), safe="/")
        if environ.get("QUERY_STRING"):
            path += "?" + environ["QUERY_STRING"]
        headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items()
                   if k.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else None
        try:
            resp = self.gateway.handle_request(method=environ["REQUEST_METHOD"], path=path,
                                               headers=headers, body=body)
        except LocalGatewayException as exc:     # no such route, missing auth...
            resp = {"statusCode": exc.CODE, "headers": dict(exc.headers),
                    "body": exc.body or b""}
        status = resp["statusCode"]
        out = dict(resp.get("headers") or {})
        if not any(k.lower() == "content-type" for k in out):
            out["Content-Type"] = "application/json"      # API Gateway's default
        payload = resp.get("body") or b""
        if resp.get("isBase64Encoded"):
            payload = base64.b64decode(payload)
        elif isinstance(payload, str):
            payload = payload.encode("utf-8")
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = "Status"
        start_response(f"{status} {reason}", [(k, str(v)) for k, v in out.items()
                                              if k.lower() != "content-length"])
        return [payload]
