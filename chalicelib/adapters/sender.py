"""Posts events to WebSocket connections through the API Gateway management API."""
from __future__ import annotations

from chalicelib import config
from chalicelib.adapters.aws import LazyClient


class GoneError(Exception):
    """The connection no longer exists (HTTP 410 GoneException)."""


class WebSocketSender(LazyClient):
    service = "apigatewaymanagementapi"

    def __init__(self, endpoint_url: str | None = None, session=None):
        super().__init__(session)
        self._endpoint = endpoint_url

    @property
    def endpoint(self) -> str | None:
        return self._endpoint or config.ws_management_endpoint()

    def configure_from_event(self, domain_name: str, stage: str) -> None:
        """Inside a WebSocket handler the event says where the API lives."""
        if self.endpoint is None and domain_name:
            self._endpoint = f"https://{domain_name}/{stage}"

    def client_kwargs(self) -> dict:
        if not self.endpoint:
            raise RuntimeError("The WebSocket management endpoint is not configured "
                               "(PARLEY_WS_ENDPOINT).")
        return {"endpoint_url": self.endpoint}

    def post(self, connection_id: str, data: bytes) -> None:
        client = self._get_client()
        try:
            client.post_to_connection(ConnectionId=connection_id, Data=data)
        except client.exceptions.GoneException:
            raise GoneError(connection_id)
        except client.exceptions.ClientError as exc:
            if exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 410:
                raise GoneError(connection_id)
            raise

    def close(self, connection_id: str) -> None:
        client = self._get_client()
        try:
            client.delete_connection(ConnectionId=connection_id)
        except client.exceptions.GoneException:
            pass

    def alive(self, connection_id: str) -> bool:
        """Is the socket still there? (GET @connections/{id}; 410 Gone means no.)"""
        client = self._get_client()
        try:
            client.get_connection(ConnectionId=connection_id)
            return True
        except client.exceptions.GoneException:
            return False
        except client.exceptions.ClientError as exc:
            if exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") in (404, 410):
                return False
            raise
