"""A boto3 client created on first use and reused across invocations (thread-safe)."""
from __future__ import annotations

import threading

from chalicelib import config


class LazyClient:
    service: str = ""

    def __init__(self, session=None):
        self._session = session
        self._client = None
        self._lock = threading.Lock()

    def client_kwargs(self) -> dict:
        """endpoint_url / config for the client; subclasses override."""
        return {}

    def _get_client(self):
        if self._client is None:
            with self._lock:
                if self._client is None:
                    import boto3
                    session = self._session or boto3.session.Session()
                    kwargs = self.client_kwargs()
                    pool = config.aws_pool_size()
                    if pool:
                        from botocore.config import Config
                        more = Config(max_pool_connections=pool)
                        kwargs["config"] = kwargs["config"].merge(more) \
                            if kwargs.get("config") else more
                    self._client = session.client(self.service, region_name=config.region(),
                                                   **kwargs)
        return self._client
