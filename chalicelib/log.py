"""Structured JSON logs. Never log message bodies or secrets at INFO."""
from __future__ import annotations

import json
import logging
import sys
import time

from chalicelib import config

_logger = logging.getLogger("parley")
if not _logger.handlers:
    _h = logging.StreamHandler(sys.stdout)
    _h.setFormatter(logging.Formatter("%(message)s"))
    _logger.addHandler(_h)
    _logger.propagate = False
_logger.setLevel(config.log_level())


def _emit(level: int, event: str, **fields) -> None:
    if not _logger.isEnabledFor(level):
        return
    record = {"ts": round(time.time(), 3), "level": logging.getLevelName(level),
              "event": event}
    record.update({k: v for k, v in fields.items() if v is not None})
    _logger.log(level, json.dumps(record, default=str, ensure_ascii=False))


def info(event: str, **fields) -> None:
    _emit(logging.INFO, event, **fields)


def warning(event: str, **fields) -> None:
    _emit(logging.WARNING, event, **fields)


def error(event: str, **fields) -> None:
    _emit(logging.ERROR, event, **fields)


def debug(event: str, **fields) -> None:
    _emit(logging.DEBUG, event, **fields)
