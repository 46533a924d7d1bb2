"""JSONAttribute columns arrive from a stream image as JSON strings."""
from __future__ import annotations

import json


def loads(value):
    """The column's value: parsed when it is a JSON string, as it is otherwise; None when the
    string is not JSON."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value
