"""Lambda event sources: SQS event source mappings and scheduled (EventBridge) rules
(DynamoDB stream mappings: infra/local/streams.py).

SQS: one poller thread per @app.on_sqs_message handler. It long-polls the queue with the
real ReceiveMessage (so moto applies the queue's RedrivePolicy: after maxReceiveCount
receives a message moves to the DLQ), builds Lambda's SQS event, and like the event source
mapping deletes the batch on success, leaves it to reappear after the visibility timeout on
failure, and honours partial batch responses ({"batchItemFailures": [...]}).
"""
from __future__ import annotations

import datetime as dt
import re
import threading
import time
import uuid

from infra.local import logs

ACCOUNT = "123456789012"


def _handler_for(app_module, config):
    """The Lambda entry point: `module.function` as Chalice records it (the module may be
    another than the one serving the app, e.g. a test module wrapping app.py)."""
    import sys
    module_name, _, attr = config.handler_string.rpartition(".")
    fn = getattr(sys.modules.get(module_name) or app_module, attr, None)
    if not callable(fn):
        raise RuntimeError(f"Handler {config.handler_string} not found in {app_module.__name__}")
    return fn


def _context(name: str):
    from chalice.local import LambdaContext
    return LambdaContext(function_name=name, memory_size=512, max_runtime_ms=900_000)


class SQSPoller(threading.Thread):
    def __init__(self, session, endpoint_url, region, config, handler, stop: threading.Event,
                 wait_seconds: int = 1):
        super().__init__(name=f"sqs-{config.name}", daemon=True)
        self.sqs = session.client("sqs", endpoint_url=endpoint_url, region_name=region)
        self.region = region
        self.config = config
        self.handler = handler
        self.stop_event = stop
        self.wait_seconds = wait_seconds
        self.queue_name = config.queue or config.queue_arn.rsplit(":", 1)[-1]
        self.queue_url = None
        self.queue_arn = config.queue_arn or f"arn:aws:sqs:{region}:{ACCOUNT}:{self.queue_name}"

    def _resolve(self) -> bool:
        """The queue may be created after the runtime starts: look it up until it exists."""
        try:
            self.queue_url = self.sqs.get_queue_url(QueueName=self.queue_name)["QueueUrl"]
            attrs = self.sqs.get_queue_attributes(QueueUrl=self.queue_url,
                                                  AttributeNames=["QueueArn"])["Attributes"]
            self.queue_arn = attrs.get("QueueArn", self.queue_arn)
            return True
        except Exception:
            return False

    def run(self) -> None:
        while not self.stop_event.is_set():
            if self.queue_url is None and not self._resolve():
                self.stop_event.wait(1.0)
                continue
            try:
                self.poll_once()
            except Exception as exc:
                if self.stop_event.is_set():
                    return
                logs.line(f"SQS {self.queue_name} poll error {exc!r}", always=True)
                if "NonExistentQueue" in repr(exc):
                    self.queue_url = None
                self.stop_event.wait(1.0)

    def poll_once(self) -> None:
        batch_size = max(1, int(self.config.batch_size or 10))
        resp = self.sqs.receive_message(
            QueueUrl=self.queue_url, MaxNumberOfMessages=min(batch_size, 10),
            WaitTimeSeconds=self.wait_seconds, AttributeNames=["All"],
            MessageAttributeNames=["All"])
        messages = resp.get("Messages") or []
        window = float(self.config.maximum_batching_window_in_seconds or 0)
        deadline = time.monotonic() + window
        while messages and len(messages) < batch_size and time.monotonic() < deadline \
                and not self.stop_event.is_set():
            more = self.sqs.receive_message(
                QueueUrl=self.queue_url, MaxNumberOfMessages=min(batch_size - len(messages), 10),
                WaitTimeSeconds=1, AttributeNames=["All"], MessageAttributeNames=["All"])
            messages += more.get("Messages") or []
        if not messages:
            return
        self.invoke(messages)

    def event_for(self, messages) -> dict:
        return {"Records": [{
            "messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"],
            "body": m.get("Body", ""), "attributes": m.get("Attributes") or {},
            "messageAttributes": {
                k: {"stringValue": v.get("StringValue"), "binaryValue": v.get("BinaryValue"),
                    "stringListValues": [], "binaryListValues": [],
                    "dataType": v.get("DataType")}
                for k, v in (m.get("MessageAttributes") or {}).items()},
            "md5OfBody": m.get("MD5OfBody"), "eventSource": "aws:sqs",
            "eventSourceARN": self.queue_arn, "awsRegion": self.region,
        } for m in messages]}

    def invoke(self, messages) -> None:
        start = time.perf_counter()
        failed: set[str] = set()
        outcome = "ok"
        try:
            result = self.handler(self.event_for(messages), _context(self.config.name))
            if isinstance(result, dict) and result.get("batchItemFailures") is not None:
                failed = {f.get("itemIdentifier") for f in result["batchItemFailures"]}
                if failed:
                    outcome = f"partial failed={len(failed)}"
        except Exception as exc:
            failed = {m["MessageId"] for m in messages}
            outcome = f"error {type(exc).__name__}: {exc}"
        done = [m for m in messages if m["MessageId"] not in failed]
        for i in range(0, len(done), 10):
            chunk = done[i:i + 10]
            self.sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=[
                {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(chunk)])
        logs.line(f"SQS {self.queue_name} batch={len(messages)} {outcome} {logs.ms(start)}")


# ---------------------------------------------------------------------- schedules
_RATE = re.compile(r"^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$")
_UNITS = {"minute": 60, "hour": 3600, "day": 86400}


def rate_seconds(expression: str) -> float | None:
    m = _RATE.match(expression.strip())
    if not m:
        return None
    return int(m.group(1)) * _UNITS[m.group(2).rstrip("s")]


def _field_matches(spec: str, value: int, lo: int, hi: int) -> bool:
    spec = str(spec)
    if spec in ("*", "?"):
        return True
    for part in spec.split(","):
        step = 1
        if "/" in part:
            part, step_s = part.split("/", 1)
            step = int(step_s)
        if part in ("*", "?", ""):
            a, b = lo, hi
        elif "-" in part:
            a, b = (int(x) for x in part.split("-", 1))
        else:
            a = int(part)
            b = hi if step > 1 else a
        if a <= value <= b and (value - a) % step == 0:
            return True
    return False


_DOW = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}


def cron_matches(expression: str, when: dt.datetime) -> bool:
    """EventBridge cron(min hour dom month dow year), approximated (no L, W, #)."""
    inner = expression.strip()[5:-1].split()
    if len(inner) != 6:
        return False
    minute, hour, dom, month, dow, year = inner
    for name, num in _DOW.items():
        dow = dow.upper().replace(name, str(num))
    aws_dow = (when.isoweekday() % 7) + 1          # EventBridge: 1 = Sunday
    try:
        return (_field_matches(minute, when.minute, 0, 59)
                and _field_matches(hour, when.hour, 0, 23)
                and _field_matches(dom, when.day, 1, 31)
                and _field_matches(month, when.month, 1, 12)
                and _field_matches(dow, aws_dow, 1, 7)
                and _field_matches(year, when.year, 1970, 2199))
    except ValueError:
        return False


class Scheduler(threading.Thread):
    def __init__(self, region, configs_handlers, stop: threading.Event):
        super().__init__(name="scheduler", daemon=True)
        self.region = region
        self.stop_event = stop
        self.jobs = []
        now = time.monotonic()
        for config, handler in configs_handlers:
            expr = config.schedule_expression
            expr = expr if isinstance(expr, str) else expr.to_string()
            self.jobs.append({"config": config, "handler": handler, "expr": expr,
                              "every": rate_seconds(expr), "next": None, "last_minute": None})
            if self.jobs[-1]["every"]:
                self.jobs[-1]["next"] = now + self.jobs[-1]["every"]

    def run(self) -> None:
        while not self.stop_event.wait(0.5):
            now = time.monotonic()
            wall = dt.datetime.now(dt.timezone.utc).replace(second=0, microsecond=0)
            for job in self.jobs:
                if job["every"]:
                    if now >= job["next"]:
                        job["next"] = now + job["every"]
                        self.fire(job)
                elif job["expr"].startswith("cron(") and job["last_minute"] != wall \
                        and cron_matches(job["expr"], wall):
                    job["last_minute"] = wall
                    self.fire(job)

    def fire(self, job) -> None:
        config = job["config"]
        event = {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event",
                 "source": "aws.events", "account": ACCOUNT,
                 "time": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                 "region": self.region,
                 "resources": [f"arn:aws:events:{self.region}:{ACCOUNT}:rule/{config.name}"],
                 "detail": {}}
        start = time.perf_counter()
        try:
            job["handler"](event, _context(config.name))
            outcome = "ok"
        except Exception as exc:
            outcome = f"error {type(exc).__name__}: {exc}"
        logs.line(f"SCHEDULE {config.name} {job['expr']} {outcome} {logs.ms(start)}")


class EventSources:
    """Starts one poller per SQS handler and one scheduler thread for @app.schedule."""

    def __init__(self, app, app_module, session, endpoint_url, region):
        from chalice.app import DynamoDBEventConfig, ScheduledEventConfig, SQSEventConfig

        from infra.local.streams import StreamPoller
        self.stop_event = threading.Event()
        self.threads: list[threading.Thread] = []
        schedules = []
        for config in getattr(app, "event_sources", []):
            if isinstance(config, SQSEventConfig):
                self.threads.append(SQSPoller(session, endpoint_url, region, config,
                                              _handler_for(app_module, config), self.stop_event))
            elif isinstance(config, DynamoDBEventConfig):
                self.threads.append(StreamPoller(session, endpoint_url, region, config,
                                                 _handler_for(app_module, config),
                                                 self.stop_event))
            elif isinstance(config, ScheduledEventConfig):
                schedules.append((config, _handler_for(app_module, config)))
            else:
                logs.line(f"note: event source {type(config).__name__} '{config.name}' "
                          "is not emulated locally", always=True)
        if schedules:
            self.threads.append(Scheduler(region, schedules, self.stop_event))

    def describe(self) -> list[str]:
        from infra.local.streams import StreamPoller
        out = []
        for t in self.threads:
            if isinstance(t, SQSPoller):
                out.append(f"SQS {t.queue_name} -> {t.config.name} "
                           f"(batch {t.config.batch_size})")
            elif isinstance(t, StreamPoller):
                out.append(f"stream {t.stream_arn.split('/')[1]} -> {t.config.name} "
                           f"(batch {t.config.batch_size})")
            elif isinstance(t, Scheduler):
                out += [f"schedule {j['expr']} -> {j['config'].name}" for j in t.jobs]
        return out

    def start(self) -> None:
        for t in self.threads:
            t.start()

    def stop(self, timeout: float = 5.0) -> None:
        self.stop_event.set()
        deadline = time.monotonic() + timeout
        for t in self.threads:
            t.join(max(0.0, deadline - time.monotonic()))
