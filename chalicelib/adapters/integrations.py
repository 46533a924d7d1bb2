"""The integrations table: webhook endpoints, their deliveries, API keys (models.Integration).

Every read is a GetItem or a Query: an endpoint by id, a site's endpoints through the sparse
site index, an endpoint's deliveries newest first (one partition), the API keys (one
partition). Counters and state moves are conditional updates, so two runs of one delivery
attempt cannot both record it.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from pynamodb.exceptions import DeleteError, DoesNotExist, PutError, UpdateError

from chalicelib.adapters import models as m
from chalicelib.adapters.dynamo import _conditional_failed, to_dict

I = m.Integration
DELIVERY_TTL_DAYS = 30
KEYS_PK = "apikeys"


def _ttl(days: int):
    return datetime.now(timezone.utc) + timedelta(days=days)


def _ep_pk(endpoint_id: str) -> str:
    return f"ep#{endpoint_id}"


def _get(pk: str, sk: str) -> dict | None:
    try:
        return to_dict(I.get(pk, sk, consistent_read=True))
    except DoesNotExist:
        return None


class IntegrationsRepo:
    # ------------------------------------------------------------ endpoints
    def create_endpoint(self, endpoint_id: str, site_key: str, data: dict, enabled: bool,
                        now: int) -> dict:
        item = I(pk=_ep_pk(endpoint_id), sk="ep", site_key=site_key, created_at=now,
                 data=data, enabled=enabled, consecutive_parked=0)
        item.save(condition=I.pk.does_not_exist())
        return to_dict(item)

    def get_endpoint(self, endpoint_id: str) -> dict | None:
        return _get(_ep_pk(endpoint_id), "ep")

    def list_endpoints(self, site_key: str, limit: int = 100) -> list[dict]:
        return [to_dict(i) for i in I.site_index.query(site_key, limit=limit)]

    def update_endpoint(self, endpoint_id: str, data: dict | None = None,
                        enabled: bool | None = None, reset_failures: bool = False) -> dict | None:
        actions = []
        if data is not None:
            actions.append(I.data.set(data))
        if enabled is not None:
            actions.append(I.enabled.set(enabled))
        if reset_failures:
            actions += [I.failing_since.remove(), I.consecutive_parked.set(0)]
        if not actions:
            return self.get_endpoint(endpoint_id)
        item = I(_ep_pk(endpoint_id), "ep")
        try:
            item.update(actions=actions, condition=I.pk.exists())
        except UpdateError as exc:
            if _conditional_failed(exc):
                return None
            raise
        return to_dict(item)

    def delete_endpoint(self, endpoint_id: str) -> bool:
        try:
            I(_ep_pk(endpoint_id), "ep").delete(condition=I.pk.exists())
            return True
        except DeleteError as exc:
            if _conditional_failed(exc):
                return False
            raise

    def record_failure(self, endpoint_id: str, now: int) -> int | None:
        """Remember the first failure since the last success; the failing-since time."""
        item = I(_ep_pk(endpoint_id), "ep")
        try:
            item.update(actions=[I.failing_since.set(I.failing_since | now)],
                        condition=I.pk.exists())
        except UpdateError as exc:
            if _conditional_failed(exc):
                return None
            raise
        return int(item.failing_since) if item.failing_since is not None else None

    def record_success(self, endpoint_id: str) -> None:
        item = I(_ep_pk(endpoint_id), "ep")
        try:
            item.update(actions=[I.failing_since.remove(), I.consecutive_parked.set(0)],
                        condition=I.pk.exists())
        except UpdateError as exc:
            if not _conditional_failed(exc):
                raise

    def record_parked(self, endpoint_id: str) -> int:
        """One more delivery parked in a row; the new count."""
        item = I(_ep_pk(endpoint_id), "ep")
        try:
            item.update(actions=[I.consecutive_parked.add(1)], condition=I.pk.exists())
        except UpdateError as exc:
            if _conditional_failed(exc):
                return 0
            raise
        return int(item.consecutive_parked or 0)

    def disable(self, endpoint_id: str, reason: str, now: int) -> bool:
        """Disable an enabled endpoint; False if it was already disabled (or is gone), so
        only one run sends the notice."""
        item = I(_ep_pk(endpoint_id), "ep")
        try:
            item.update(actions=[I.enabled.set(False), I.status.set(f"disabled:{reason}"),
                                 I.revoked_at.set(now)],
                        condition=I.pk.exists() & (I.enabled == True))  # noqa: E712
            return True
        except UpdateError as exc:
            if _conditional_failed(exc):
                return False
            raise

    # ------------------------------------------------------------ deliveries
    def put_delivery(self, endpoint_id: str, delivery_id: str, data: dict, now: int) -> bool:
        """Record a new delivery; False if this delivery id exists (a redelivered event)."""
        item = I(pk=_ep_pk(endpoint_id), sk=f"dl#{delivery_id}", created_at=now, data=data,
                 status="pending", attempts=0, expires_at=_ttl(DELIVERY_TTL_DAYS))
        try:
            item.save(condition=I.sk.does_not_exist())
            return True
        except PutError as exc:
            if _conditional_failed(exc):
                return False
            raise

    def get_delivery(self, endpoint_id: str, delivery_id: str) -> dict | None:
        return _get(_ep_pk(endpoint_id), f"dl#{delivery_id}")

    def record_attempt(self, endpoint_id: str, delivery_id: str, attempt: int, status: str,
                       data: dict) -> bool:
        """Store attempt number `attempt` (the previous one must be stored); False if another
        run stored it first."""
        item = I(_ep_pk(endpoint_id), f"dl#{delivery_id}")
        try:
            item.update(actions=[I.attempts.set(attempt), I.status.set(status),
                                 I.data.set(data)],
                        condition=I.sk.exists() & (I.attempts == attempt - 1))
            return True
        except UpdateError as exc:
            if _conditional_failed(exc):
                return False
            raise

    def list_deliveries(self, endpoint_id: str, limit: int, after: str | None = None
                        ) -> tuple[list[dict], str | None]:
        """Newest first; (items, the delivery id to continue after or None)."""
        kwargs = {"scan_index_forward": False, "limit": limit}
        if after:
            kwargs["last_evaluated_key"] = {"pk": {"S": _ep_pk(endpoint_id)},
                                            "sk": {"S": f"dl#{after}"}}
        result = I.query(_ep_pk(endpoint_id), I.sk.startswith("dl#"), **kwargs)
        items = [to_dict(i) for i in result]
        last = result.last_evaluated_key
        return items, (last["sk"]["S"][3:] if last and len(items) >= limit else None)

    # ------------------------------------------------------------ API keys
    def create_key(self, key_id: str, data: dict, now: int) -> dict:
        item = I(pk=KEYS_PK, sk=key_id, created_at=now, data=data)
        item.save(condition=I.sk.does_not_exist())
        return to_dict(item)

    def get_key(self, key_id: str) -> dict | None:
        try:
            return to_dict(I.get(KEYS_PK, key_id))
        except DoesNotExist:
            return None

    def list_keys(self, limit: int = 50, after: str | None = None
                  ) -> tuple[list[dict], str | None]:
        """One page of keys in key-id order; (items, the key id to continue after or None)."""
        kwargs = {"limit": limit}
        if after:
            kwargs["last_evaluated_key"] = {"pk": {"S": KEYS_PK}, "sk": {"S": after}}
        result = I.query(KEYS_PK, **kwargs)
        items = [to_dict(i) for i in result]
        last = result.last_evaluated_key
        return items, (last["sk"]["S"] if last and len(items) >= limit else None)

    def revoke_key(self, key_id: str, now: int) -> bool:
        item = I(KEYS_PK, key_id)
        try:
            item.update(actions=[I.revoked_at.set(now)],
                        condition=I.sk.exists() & I.revoked_at.does_not_exist())
            return True
        except UpdateError as exc:
            if _conditional_failed(exc):
                return False
            raise

    def touch_key(self, key_id: str, now: int, every_ms: int) -> bool:
        """last_used_at = now, unless it was written less than `every_ms` ago."""
        item = I(KEYS_PK, key_id)
        try:
            item.update(actions=[I.last_used_at.set(now)],
                        condition=I.sk.exists() & (I.last_used_at.does_not_exist() |
                                                   (I.last_used_at < now - every_ms)))
            return True
        except UpdateError as exc:
            if _conditional_failed(exc):
                return False
            raise
