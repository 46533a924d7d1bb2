"""Parley's local runtime: API Gateway (REST + WebSocket + management API), Lambda event
sources (SQS, schedules) and static files over moto, in one process.

`python -m infra.local` (what `make run` calls) starts it; `infra.local.runtime.LocalStack`
starts it from tests. See docs/local-runtime.md.
"""
