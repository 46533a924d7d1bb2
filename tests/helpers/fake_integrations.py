"""In-memory stand-ins for the webhook delivery path (unit tests of the rules, no AWS):
the integrations repository (same methods and item shapes as adapters/integrations.py), an
SQS queue that records sends with their delays, an e-mail sender, a receiver whose answers
the test scripts, and a simulated clock (seconds, like deps.clock)."""
from __future__ import annotations

import copy
from types import SimpleNamespace

from chalicelib.adapters.webhook_http import Result


class FakeIntegrations:
    def __init__(self):
        self.items: dict[tuple, dict] = {}

    # endpoints
    def create_endpoint(self, endpoint_id, site_key, data, enabled, now):
        item = {"pk": f"ep#{endpoint_id}", "sk": "ep", "site_key": site_key,
                "created_at": now, "data": data, "enabled": enabled, "consecutive_parked": 0}
        self.items[(item["pk"], "ep")] = item
        return copy.deepcopy(item)

    def get_endpoint(self, endpoint_id):
        return copy.deepcopy(self.items.get((f"ep#{endpoint_id}", "ep")))

    def list_endpoints(self, site_key, limit=100):
        return [copy.deepcopy(i) for (pk, sk), i in self.items.items()
                if sk == "ep" and i.get("site_key") == site_key]

    def record_failure(self, endpoint_id, now):
        ep = self.items[(f"ep#{endpoint_id}", "ep")]
        if ep.get("failing_since") is None:
            ep["failing_since"] = now
        return ep["failing_since"]

    def record_success(self, endpoint_id):
        ep = self.items[(f"ep#{endpoint_id}", "ep")]
        ep.pop("failing_since", None)
        ep["consecutive_parked"] = 0

    def record_parked(self, endpoint_id):
        ep = self.items[(f"ep#{endpoint_id}", "ep")]
        ep["consecutive_parked"] = ep.get("consecutive_parked", 0) + 1
        return ep["consecutive_parked"]

    def disable(self, endpoint_id, reason, now):
        ep = self.items.get((f"ep#{endpoint_id}", "ep"))
        if not ep or not ep.get("enabled"):
            return False
        ep.update(enabled=False, status=f"disabled:{reason}", revoked_at=now)
        return True

    # deliveries
    def put_delivery(self, endpoint_id, delivery_id, data, now):
        key = (f"ep#{endpoint_id}", f"dl#{delivery_id}")
        if key in self.items:
            return False
        self.items[key] = {"pk": key[0], "sk": key[1], "created_at": now, "data": data,
                           "status": "pending", "attempts": 0}
        return True

    def get_delivery(self, endpoint_id, delivery_id):
        return copy.deepcopy(self.items.get((f"ep#{endpoint_id}", f"dl#{delivery_id}")))

    def record_attempt(self, endpoint_id, delivery_id, attempt, status, data):
        item = self.items.get((f"ep#{endpoint_id}", f"dl#{delivery_id}"))
        if item is None or item["attempts"] != attempt - 1:
            return False
        item.update(attempts=attempt, status=status, data=copy.deepcopy(data))
        return True

    def deliveries(self, endpoint_id):
        return [i for (pk, sk), i in sorted(self.items.items())
                if pk == f"ep#{endpoint_id}" and sk.startswith("dl#")]


class FakeQueue:
    def __init__(self):
        self.sent: list[tuple[str, dict, int]] = []

    def send(self, queue, body, delay=0):
        self.sent.append((queue, copy.deepcopy(body), int(delay)))

    def take(self):
        out, self.sent = self.sent, []
        return out


class FakeEmail:
    def __init__(self):
        self.sent: list[tuple[str, str, str]] = []

    def send(self, to, subject, text, reply_to=None):
        self.sent.append((to, subject, text))
        return f"m{len(self.sent)}"


class ScriptedReceiver:
    """Answers each POST with the next scripted status (the last one repeats); records what
    it was sent."""

    def __init__(self, *codes):
        self.codes = list(codes) or [200]
        self.calls: list[dict] = []

    def __call__(self, url, body, headers):
        self.calls.append({"url": url, "body": body, "headers": dict(headers)})
        code = self.codes.pop(0) if len(self.codes) > 1 else self.codes[0]
        if code is None:
            return Result(False, None, 5000, "unreachable: timeout")
        return Result(200 <= code < 300, code, 12, None if code < 300 else f"HTTP {code}")


class SecondsClock:
    def __init__(self, start_s: float):
        self.now = float(start_s)

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def fake_deps(receiver, clock, admins=()):
    """A Deps-shaped namespace with what services/webhook_delivery.py uses."""
    agents = SimpleNamespace(list_all=lambda: [dict(a) for a in admins])
    return SimpleNamespace(integrations=FakeIntegrations(), queue=FakeQueue(),
                           email=FakeEmail(), agents=agents, webhook_http=receiver,
                           clock=clock, audit=None,
                           sealing_keys=lambda: ["unit-test-sealing-key"])
