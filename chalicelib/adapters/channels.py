"""Channel records, channel-user links, cached WeChat access tokens and channel secrets.

- Channel records live in the directory table (kind "channel", id = channel id): kind, site,
  name, app id, mode. Never a secret.
- Links and tokens are items of the keys table: `chuser#{channel}#{external id}` -> visitor id
  (a conditional put, so two first messages at once make one visitor), and
  `wxtok#{app id}` -> the access token (value), its expiry (count, ms) and a refresh lease
  (lease_until, ms) taken with a conditional update so one caller refreshes at a time.
- Secrets (AppSecret, token, EncodingAESKey; the API channel's signing secret) are one
  Secrets Manager secret per channel, `parley-{stage}-channel-{channel id}`, JSON.
"""
from __future__ import annotations

import json
import threading
import time

from pynamodb.exceptions import DoesNotExist, PutError, UpdateError

from chalicelib import config
from chalicelib.adapters import models as m
from chalicelib.adapters.aws import LazyClient
from chalicelib.adapters.directory import DirectoryRepo
from chalicelib.adapters.dynamo import _conditional_failed, _ttl_days

KIND = "channel"


class ChannelRepo:
    def __init__(self, directory: DirectoryRepo | None = None):
        self._dir = directory or DirectoryRepo()

    def get(self, channel_id: str) -> dict | None:
        return self._dir.get(KIND, channel_id)

    def list_all(self, limit: int = 500) -> list[dict]:
        return self._dir.list(KIND, limit=limit)

    def list_for_site(self, site_key: str, limit: int = 200) -> list[dict]:
        """One Query on the channel partition (a handful per site), filtered in memory."""
        return [c for c in self._dir.list(KIND, limit=500) if c.get("site_key") == site_key][:limit]

    def create(self, channel_id: str, data: dict) -> dict:
        return self._dir.create(KIND, channel_id, data)

    def replace(self, channel_id: str, data: dict) -> dict:
        return self._dir.replace(KIND, channel_id, data)

    def delete(self, channel_id: str) -> None:
        self._dir.delete(KIND, channel_id)


class ChannelLinks:
    """(channel, external user) -> visitor id, in the keys table."""

    def get(self, key: str) -> str | None:
        try:
            return m.Key.get(key, consistent_read=True).value
        except DoesNotExist:
            return None

    def put_new(self, key: str, visitor_id: str) -> bool:
        try:
            m.Key(key=key, value=visitor_id).save(condition=m.Key.key.does_not_exist())
            return True
        except PutError as exc:
            if _conditional_failed(exc):
                return False
            raise


class TokenStore:
    """The cached access token of one WeChat app, shared by every function."""

    def read(self, app_id: str) -> dict:
        try:
            item = m.Key.get(f"wxtok#{app_id}", consistent_read=True)
        except DoesNotExist:
            return {}
        return {"token": item.value, "expires_at": int(item.count or 0),
                "lease_until": int(item.lease_until) if item.lease_until is not None else None}

    def take_lease(self, app_id: str, now_ms: int, lease_ms: int) -> bool:
        """True for exactly one caller while the lease is free or expired."""
        K = m.Key
        try:
            K(f"wxtok#{app_id}").update(
                actions=[K.lease_until.set(now_ms + lease_ms),
                         K.expires_at.set(_ttl_days(2))],
                condition=K.lease_until.does_not_exist() | (K.lease_until < now_ms))
            return True
        except UpdateError as exc:
            if _conditional_failed(exc):
                return False
            raise

    def store(self, app_id: str, token: str, expires_at_ms: int) -> None:
        K = m.Key
        K(f"wxtok#{app_id}").update(actions=[K.value.set(token), K.count.set(expires_at_ms),
                                            K.lease_until.remove()])

    def release(self, app_id: str) -> None:
        K = m.Key
        K(f"wxtok#{app_id}").update(actions=[K.lease_until.remove()])


class _SecretsClient(LazyClient):
    service = "secretsmanager"

    def client_kwargs(self) -> dict:
        endpoint = config.secrets_endpoint()
        return {"endpoint_url": endpoint} if endpoint else {}


def secret_name(channel_id: str) -> str:
    return f"parley-{config.STAGE}-channel-{channel_id}"


class ChannelSecrets:
    """One JSON secret per channel; read values are cached per container for `ttl` seconds
    (a rotation reaches every container within that time)."""

    def __init__(self, ttl: float = 300.0, clock=time.monotonic):
        self._client = _SecretsClient()
        self._cache: dict[str, tuple[float, dict]] = {}
        self._ttl, self._clock = ttl, clock
        self._lock = threading.Lock()

    def put(self, channel_id: str, values: dict) -> None:
        sm = self._client._get_client()
        doc = json.dumps(values)
        try:
            sm.create_secret(Name=secret_name(channel_id), SecretString=doc,
                             Description="Parley channel credentials")
        except sm.exceptions.ResourceExistsException:
            sm.put_secret_value(SecretId=secret_name(channel_id), SecretString=doc)
        with self._lock:
            self._cache[channel_id] = (self._clock(), dict(values))

    def get(self, channel_id: str) -> dict:
        with self._lock:
            hit = self._cache.get(channel_id)
            if hit and self._clock() - hit[0] < self._ttl:
                return dict(hit[1])
        sm = self._client._get_client()
        try:
            raw = sm.get_secret_value(SecretId=secret_name(channel_id))["SecretString"]
        except sm.exceptions.ResourceNotFoundException:
            return {}
        values = json.loads(raw)
        with self._lock:
            self._cache[channel_id] = (self._clock(), values)
        return dict(values)

    def delete(self, channel_id: str) -> None:
        sm = self._client._get_client()
        try:
            sm.delete_secret(SecretId=secret_name(channel_id), RecoveryWindowInDays=7)
        except sm.exceptions.ResourceNotFoundException:
            pass
        with self._lock:
            self._cache.pop(channel_id, None)


class ChannelAdapters:
    """What the channel services use, as one object on Deps (tests swap any part)."""

    def __init__(self, repo=None, links=None, secrets=None, tokens=None, wechat=None):
        from chalicelib.adapters.wechat_api import WeChatApi
        self.repo = repo or ChannelRepo()
        self.links = links or ChannelLinks()
        self.secrets = secrets or ChannelSecrets()
        self.tokens = tokens or TokenStore()
        self.wechat = wechat or WeChatApi()


def channel_adapters() -> ChannelAdapters:
    return ChannelAdapters()
