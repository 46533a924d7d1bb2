"""WeChat's server API (api.weixin.qq.com): access tokens, 客服消息 (message/custom/send) and
temporary media uploads. The base URL is fixed (config.wechat_api_base: a loopback stub only
in local mode). Each call returns WeChat's JSON; `WeChatApiError` carries its errcode."""
from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import uuid

from chalicelib import config

TIMEOUT = 5.0
#: errcodes meaning the access token is invalid or expired: refresh and retry once
TOKEN_ERRORS = (40001, 40014, 42001)
#: errcodes a retry cannot fix (window closed, user gone, quota for this window)
PERMANENT = {45015: "window_expired", 45047: "window_quota", 40003: "invalid_openid",
             43004: "unsubscribed", 45002: "content_too_long", 40007: "invalid_media"}


class WeChatApiError(Exception):
    def __init__(self, errcode: int, errmsg: str):
        super().__init__(f"{errcode} {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg

    @property
    def permanent(self) -> bool:
        return self.errcode in PERMANENT

    @property
    def reason(self) -> str:
        return PERMANENT.get(self.errcode, "wechat_error")


class WeChatApi:
    def __init__(self, base: str | None = None, opener=None):
        self._base = base
        self._open = opener or urllib.request.urlopen

    @property
    def base(self) -> str:
        return self._base or config.wechat_api_base()

    def _call(self, path: str, params: dict, data: bytes | None = None,
              content_type: str = "application/json") -> dict:
        url = f"{self.base}{path}?{urllib.parse.urlencode(params)}"
        req = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET",
                                     headers={"Content-Type": content_type} if data else {})
        try:
            with self._open(req, timeout=TIMEOUT) as resp:
                body = json.loads(resp.read(1 << 20).decode("utf-8") or "{}")
        except urllib.error.HTTPError as exc:
            raise WeChatApiError(-1, f"HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise WeChatApiError(-1, type(exc).__name__) from None
        code = int(body.get("errcode") or 0)
        if code:
            raise WeChatApiError(code, str(body.get("errmsg") or ""))
        return body

    def stable_token(self, app_id: str, app_secret: str, force: bool = False) -> tuple[str, int]:
        """(access_token, expires_in seconds) from /cgi-bin/stable_token."""
        body = json.dumps({"grant_type": "client_credential", "appid": app_id,
                           "secret": app_secret, "force_refresh": force}).encode("utf-8")
        out = self._call("/cgi-bin/stable_token", {}, body)
        return out["access_token"], int(out.get("expires_in") or 7200)

    def send_custom(self, access_token: str, payload: dict) -> dict:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        return self._call("/cgi-bin/message/custom/send", {"access_token": access_token}, body)

    def upload_media(self, access_token: str, kind: str, filename: str, content: bytes,
                     content_type: str) -> str:
        """A temporary media upload (3 days); returns media_id."""
        boundary = uuid.uuid4().hex
        safe_name = "".join(c for c in filename if c.isalnum() or c in "._-")[:80] or "file"
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"media\"; "
                f"filename=\"{safe_name}\"\r\nContent-Type: {content_type}\r\n\r\n"
                ).encode("utf-8") + content + f"\r\n--{boundary}--\r\n".encode("ascii")
        out = self._call("/cgi-bin/media/upload", {"access_token": access_token, "type": kind},
                         body, content_type=f"multipart/form-data; boundary={boundary}")
        return out["media_id"]
