"""The API Gateway stand-in: one aiohttp server for REST, WebSocket, the management API,
static files and /config.json.

Lambda handlers are synchronous (and long-polls block up to ~20 s), so every invocation
runs in a thread pool; the event loop only moves bytes.
"""
from __future__ import annotations

import asyncio
import base64
import mimetypes
import secrets
import string
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, unquote

from aiohttp import WSCloseCode, WSMsgType, web

from infra.local import logs

MAX_FRAME = 32 * 1024          # API Gateway: a bigger frame closes the socket with 1009
MAX_POST = 128 * 1024          # management API: PostToConnection data limit
ID_ALPHABET = string.ascii_letters + string.digits
CONNECT_EVENT_TYPES = {"$connect": "CONNECT", "$disconnect": "DISCONNECT"}

mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("text/javascript", ".mjs")
mimetypes.add_type("text/css", ".css")
mimetypes.add_type("image/svg+xml", ".svg")
mimetypes.add_type("application/json", ".json")
mimetypes.add_type("application/manifest+json", ".webmanifest")


def new_connection_id() -> str:
    """API Gateway style: 16 characters ending with '=' (e.g. 'L0SM9cOFvHcCIhw=')."""
    return "".join(secrets.choice(ID_ALPHABET) for _ in range(15)) + "="


def _iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts)) + f".{int(ts * 1000) % 1000:03d}Z"


@dataclass
class Connection:
    id: str
    ws: web.WebSocketResponse
    query: dict
    source_ip: str
    user_agent: str
    connected_at: float = field(default_factory=time.time)
    last_active: float = field(default_factory=time.time)
    frames: asyncio.Queue = field(default_factory=asyncio.Queue)
    skip_disconnect: bool = False
    close_code: int | None = None


def _lambda_context(name: str):
    from chalice.local import LambdaContext
    return LambdaContext(function_name=name, memory_size=512, max_runtime_ms=900_000)


def per_thread_request_state(app) -> None:
    """Give the app one current_request / lambda_context per thread.

    In Lambda one process serves one request at a time, so Chalice keeps the request on the
    app object. Here a thread pool runs many handlers at once (long-polls wait 20 s), and a
    shared attribute would hand one request's body to another. The app's class is swapped
    for a subclass whose two attributes live in a threading.local."""
    import threading

    if getattr(type(app), "_parley_per_thread", False):
        return
    state = threading.local()

    def attr(name):
        return property(lambda self: getattr(state, name, None),
                        lambda self, value: setattr(state, name, value))

    app.__class__ = type("PerThread" + type(app).__name__, (type(app),), {
        "current_request": attr("current_request"),
        "lambda_context": attr("lambda_context"),
        "_parley_per_thread": True,
    })
    for name in ("current_request", "lambda_context"):
        app.__dict__.pop(name, None)


class Gateway:
    def __init__(self, app, app_module, *, stage: str = "local", web_root: Path | None = None,
                 pool_size: int = 64, idle_timeout: float = 600, max_life: float = 7200,
                 site_key: str = "demo", test_hooks: bool = False, api_id: str = "local"):
        from chalice.config import Config
        from chalice.local import LocalGateway

        per_thread_request_state(app)
        self.app = app
        self.app_module = app_module
        self.stage = stage
        self.api_id = api_id
        self.web_root = (web_root or Path(__file__).resolve().parents[2] / "web").resolve()
        self.idle_timeout = idle_timeout
        self.max_life = max_life
        self.site_key = site_key
        self.test_hooks = test_hooks
        self.pool = ThreadPoolExecutor(max_workers=pool_size, thread_name_prefix="lambda")
        self.local_gateway = LocalGateway(app, Config(chalice_stage=stage))
        self.connections: dict[str, Connection] = {}
        self._ws_cache: dict = {}
        self.base_url = ""        # set by the runner once the socket is bound
        self.loop: asyncio.AbstractEventLoop | None = None
        self.web_app = self._build()

    # ------------------------------------------------------------------ routes
    def _build(self) -> web.Application:
        app = web.Application(client_max_size=10 * 1024 * 1024, middlewares=[self._access_log])
        r = app.router
        r.add_route("*", "/v1", self.rest)
        r.add_route("*", "/v1/{tail:.*}", self.rest)
        r.add_get("/ws", self.websocket)
        for prefix in ("", "/{stage}"):
            r.add_post(prefix + "/@connections/{cid}", self.mgmt_post)
            r.add_get(prefix + "/@connections/{cid}", self.mgmt_get)
            r.add_delete(prefix + "/@connections/{cid}", self.mgmt_delete)
        r.add_get("/config.json", self.config_json)
        r.add_post("/@demo/orders/status", self.demo_orders)
        if self.test_hooks:
            r.add_post("/@local/drop/{cid}", self.hook_drop)
            r.add_get("/@local/connections", self.hook_connections)
        r.add_route("GET", "/{tail:.*}", self.static)
        r.add_route("HEAD", "/{tail:.*}", self.static)
        app.on_shutdown.append(self._on_shutdown)
        return app

    @web.middleware
    async def _access_log(self, request: web.Request, handler):
        start = time.perf_counter()
        status = 500
        try:
            resp = await handler(request)
            status = resp.status
            return resp
        except web.HTTPException as exc:
            status = exc.status
            raise
        finally:
            path = request.path
            if path.startswith("/v1"):
                kind = "REST"
            elif "/@connections/" in path:
                kind = "MGMT"
                path = "/@connections/" + unquote(path.rsplit("/", 1)[-1])
            elif path == "/ws":
                kind = "WS-UPGRADE"
            else:
                kind = "HTTP"
            if kind != "WS-UPGRADE" or status != 101:
                logs.line(f"{kind} {request.method} {path} {status} {logs.ms(start)}")

    async def _run(self, fn, *args):
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.pool, fn, *args)

    # ------------------------------------------------------------------ REST
    async def rest(self, request: web.Request) -> web.Response:
        from chalice.local import LocalGatewayException

        body = await request.read() if request.can_read_body else None
        headers = {k: v for k, v in request.headers.items()}
        headers.setdefault("x-forwarded-for", request.remote or "127.0.0.1")

        def call():
            return self.local_gateway.handle_request(
                method=request.method, path=request.raw_path, headers=headers,
                body=body if body else None)

        try:
            response = await self._run(call)
        except LocalGatewayException as exc:
            return web.Response(status=exc.CODE, body=exc.body or b"",
                                headers={**exc.headers, "Content-Type": "application/json",
                                         **self._cors_headers(request)})
        status = response["statusCode"]
        out_headers = dict(response.get("headers") or {})
        multi = response.get("multiValueHeaders") or {}
        payload = response.get("body")
        if response.get("isBase64Encoded") and payload is not None:
            payload = base64.b64decode(payload)
        elif isinstance(payload, str):
            payload = payload.encode("utf-8")
        resp = web.Response(status=status, body=payload or b"")
        ctype = next((v for k, v in out_headers.items() if k.lower() == "content-type"),
                     "application/json")
        for k, v in out_headers.items():
            if k.lower() not in ("content-type", "content-length"):
                resp.headers[k] = str(v)
        for k, values in multi.items():
            for v in values:
                resp.headers.add(k, str(v))
        resp.content_type = ctype.split(";")[0].strip()
        if "charset=" in ctype:
            resp.charset = ctype.split("charset=")[1].strip()
        return resp

    def _cors_headers(self, request) -> dict:
        """For errors raised before the app answers: the same origins as the app's routes
        (chalicelib/api/cors.py): any for visitor routes, the console's for the rest."""
        origin = request.headers.get("Origin")
        if not origin:
            return {}
        if request.path.startswith(("/v1/visitor", "/v1/health")):
            return {"Access-Control-Allow-Origin": "*"}
        from chalicelib import config
        return {"Access-Control-Allow-Origin": origin} if origin == config.console_origin() \
            else {}

    # ------------------------------------------------------------------ WebSocket
    def _ws_handler(self, route_key: str):
        if route_key not in self._ws_cache:
            config = self.app.websocket_handlers.get(route_key)
            self._ws_cache[route_key] = self._resolve(config) if config else None
        return self._ws_cache[route_key]

    def _resolve(self, config):
        # handler_string is 'app.<function>' whatever module defines the app: look the
        # wrapped handler up in the module the app came from.
        attr = config.handler_string.rpartition(".")[2]
        fn = getattr(self.app_module, attr, None)
        if callable(fn):
            return fn
        from chalice.app import WebsocketEvent, WebsocketEventSourceHandler
        return WebsocketEventSourceHandler(config.user_handler, WebsocketEvent,
                                           self.app.websocket_api)

    def ws_event(self, route_key: str, conn: Connection, body: str | None = None) -> dict:
        host = self.base_url.split("://", 1)[-1]
        ev = {
            "requestContext": {
                "routeKey": route_key,
                "eventType": CONNECT_EVENT_TYPES.get(route_key, "MESSAGE"),
                "connectionId": conn.id, "apiId": self.api_id, "stage": self.stage,
                "domainName": host, "requestId": str(uuid.uuid4()),
                "extendedRequestId": str(uuid.uuid4()),
                "connectedAt": int(conn.connected_at * 1000),
                "requestTimeEpoch": int(time.time() * 1000),
                "messageDirection": "IN",
                "identity": {"sourceIp": conn.source_ip, "userAgent": conn.user_agent},
            },
            "isBase64Encoded": False,
        }
        if route_key == "$connect":
            ev["queryStringParameters"] = conn.query or None
            ev["multiValueQueryStringParameters"] = (
                {k: [v] for k, v in conn.query.items()} if conn.query else None)
        if route_key == "$default":
            ev["requestContext"]["messageId"] = secrets.token_urlsafe(12)
        if body is not None:
            ev["body"] = body
        if route_key == "$disconnect":
            ev["requestContext"]["disconnectStatusCode"] = conn.close_code or 1005
        return ev

    def _invoke_ws(self, route_key: str, conn: Connection, body: str | None = None):
        handler = self._ws_handler(route_key)
        if handler is None:
            return {"statusCode": 200}
        start = time.perf_counter()
        status = "ok"
        try:
            result = handler(self.ws_event(route_key, conn, body), _lambda_context(route_key))
            if isinstance(result, dict) and "statusCode" in result:
                status = str(result["statusCode"])
            return result
        except Exception as exc:
            status = f"error {exc!r}"
            raise
        finally:
            logs.line(f"WS {route_key} conn={conn.id} {status} {logs.ms(start)}")

    async def websocket(self, request: web.Request):
        query = dict(parse_qsl(request.query_string, keep_blank_values=True))
        conn = Connection(id=new_connection_id(), ws=None, query=query,
                          source_ip=request.remote or "127.0.0.1",
                          user_agent=request.headers.get("User-Agent", ""))
        try:
            result = await self._run(self._invoke_ws, "$connect", conn)
        except Exception:
            return web.json_response({"message": "Internal server error"}, status=500)
        status = int((result or {}).get("statusCode", 200))
        if not 200 <= status < 300:
            body = (result or {}).get("body") or ""
            return web.Response(status=status, text=body if isinstance(body, str) else "")
        # aiohttp closes with 1009 when a message exceeds max_msg_size
        ws = web.WebSocketResponse(max_msg_size=MAX_FRAME, autoping=True, heartbeat=None)
        try:
            await ws.prepare(request)
        except (ConnectionError, RuntimeError) as exc:
            # The client gave up while $connect ran (a slow handshake). $connect registered
            # the connection, so it gets its $disconnect, as API Gateway gives one to every
            # connection $connect accepted; and no traceback: nobody is left to answer.
            logs.line(f"WS handshake abandoned conn={conn.id} {type(exc).__name__}")
            conn.close_code = 1006
            await self._disconnect(conn)
            return web.Response(status=400)
        conn.ws = ws
        self.connections[conn.id] = conn
        worker = asyncio.create_task(self._frame_worker(conn))
        watchdog = asyncio.create_task(self._watchdog(conn))
        try:
            async for msg in ws:
                conn.last_active = time.time()
                if msg.type == WSMsgType.TEXT:
                    conn.frames.put_nowait(msg.data)
                elif msg.type == WSMsgType.BINARY:
                    conn.frames.put_nowait(msg.data.decode("utf-8", "replace"))
                elif msg.type == WSMsgType.ERROR:
                    break
        finally:
            if not ws.closed:       # (an oversized frame was already closed with 1009)
                await ws.close()
            conn.close_code = ws.close_code
            self.connections.pop(conn.id, None)
            watchdog.cancel()
            conn.frames.put_nowait(None)     # let queued frames finish, then stop
            try:
                await worker
            except Exception:
                pass
            if not conn.skip_disconnect:
                await self._disconnect(conn)
        return ws

    async def _disconnect(self, conn: Connection) -> None:
        try:
            await self._run(self._invoke_ws, "$disconnect", conn)
        except Exception:
            pass            # logged by _invoke_ws; a failed $disconnect changes nothing here

    async def _frame_worker(self, conn: Connection) -> None:
        """Runs frames one after another: per-connection order is kept."""
        while True:
            body = await conn.frames.get()
            if body is None:
                return
            try:
                await self._run(self._invoke_ws, "$default", conn, body)
            except Exception:
                pass

    async def _watchdog(self, conn: Connection) -> None:
        while True:
            now = time.time()
            idle_left = conn.last_active + self.idle_timeout - now
            life_left = conn.connected_at + self.max_life - now
            if idle_left <= 0 or life_left <= 0:
                logs.line(f"WS close conn={conn.id} "
                          f"{'idle timeout' if idle_left <= 0 else 'max life'}")
                await conn.ws.close(code=WSCloseCode.GOING_AWAY,
                                    message=b"Going away")
                return
            await asyncio.sleep(max(0.05, min(idle_left, life_left, 5.0)))

    # ------------------------------------------------------------------ management API
    @staticmethod
    def _gone() -> web.Response:
        return web.json_response({"message": "GoneException"}, status=410,
                                 headers={"x-amzn-ErrorType": "GoneException"})

    def _conn(self, request) -> Connection | None:
        cid = unquote(request.match_info["cid"])
        conn = self.connections.get(cid)
        if conn is None or conn.ws is None or conn.ws.closed:
            return None
        return conn

    async def mgmt_post(self, request: web.Request) -> web.Response:
        conn = self._conn(request)
        data = await request.read()
        if len(data) > MAX_POST:
            return web.json_response({"message": "PayloadTooLargeException"}, status=413,
                                     headers={"x-amzn-ErrorType": "PayloadTooLargeException"})
        if conn is None:
            return self._gone()
        try:
            await conn.ws.send_str(data.decode("utf-8", "replace"))
        except (ConnectionResetError, RuntimeError):
            return self._gone()
        return web.Response(status=200)

    async def mgmt_get(self, request: web.Request) -> web.Response:
        conn = self._conn(request)
        if conn is None:
            return self._gone()
        return web.json_response({
            "connectedAt": _iso(conn.connected_at),
            "identity": {"sourceIp": conn.source_ip, "userAgent": conn.user_agent},
            "lastActiveAt": _iso(conn.last_active)})

    async def mgmt_delete(self, request: web.Request) -> web.Response:
        conn = self._conn(request)
        if conn is None:
            return self._gone()
        await conn.ws.close(code=WSCloseCode.OK)
        return web.Response(status=204)

    async def hook_drop(self, request: web.Request) -> web.Response:
        """Test-only: drop the socket WITHOUT invoking $disconnect (a lost disconnect)."""
        conn = self._conn(request)
        if conn is None:
            return self._gone()
        conn.skip_disconnect = True
        self.connections.pop(conn.id, None)
        await conn.ws.close(code=WSCloseCode.GOING_AWAY)
        return web.json_response({"dropped": conn.id})

    async def hook_connections(self, request: web.Request) -> web.Response:
        return web.json_response({"connections": sorted(self.connections)})

    # ------------------------------------------------------------------ static + config
    async def demo_orders(self, request: web.Request) -> web.Response:
        """The demo site's order system, called by the demo bot's "order status" flow (the
        business's HTTPS endpoint in a real deployment): an even last digit is shipped."""
        try:
            body = await request.json()
        except ValueError:
            return web.json_response({"ok": False, "error": "bad json"}, status=400)
        order = str((body or {}).get("order_id") or "")
        if not order:
            return web.json_response({"ok": False, "error": "order_id missing"}, status=400)
        shipped = order[-1:] in "02468"
        return web.json_response({"ok": True, "order_id": order,
                                  "status": "shipped" if shipped else "processing",
                                  "eta": "2-3 days" if not shipped else "on its way"})

    async def config_json(self, request: web.Request) -> web.Response:
        # the address the browser used (127.0.0.1 or localhost): the console then calls the
        # API on its own origin, which agent/admin CORS requires
        base = f"{request.scheme}://{request.host}" if request.host else self.base_url
        ws = "ws" + base[len("http"):] if base.startswith("http") else base
        return web.json_response({"api": f"{base}/v1", "ws": f"{ws}/ws",
                                  "site_key": self.site_key},
                                 headers={"Access-Control-Allow-Origin": "*",
                                          "Cache-Control": "no-store"})

    async def static(self, request: web.Request) -> web.StreamResponse:
        rel = unquote(request.match_info.get("tail", ""))
        if "\x00" in rel:
            raise web.HTTPNotFound()
        target = (self.web_root / rel).resolve()
        try:
            target.relative_to(self.web_root)
        except ValueError:
            raise web.HTTPNotFound()
        if target.is_dir():
            if rel and not rel.endswith("/"):
                raise web.HTTPFound("/" + rel + "/")
            index = target / "index.html"
            if index.is_file():
                target = index
            elif target == self.web_root:
                demo = self.web_root / "demo" / "index.html"
                if demo.is_file():
                    target = demo
                else:
                    return web.Response(text=self._landing(), content_type="text/html")
            else:
                raise web.HTTPNotFound()
        if not target.is_file():
            if rel == "":
                return web.Response(text=self._landing(), content_type="text/html")
            raise web.HTTPNotFound()
        ctype, _ = mimetypes.guess_type(target.name)
        headers = {"Content-Type": ctype or "application/octet-stream",
                   "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}
        if rel.startswith("console/"):
            headers.update(self.console_headers())
        return web.FileResponse(target, headers=headers)

    def console_headers(self) -> dict:
        """The console's CSP as infra/hosting.yaml sends it, with this runtime's addresses:
        the WebSocket API and moto's S3 (attachment uploads and images)."""
        from chalicelib import config
        from infra.web_headers import console_headers
        ws = "ws" + self.base_url[len("http"):] if self.base_url.startswith("http") else ""
        s3 = (config.s3_endpoint() or "").rstrip("/")
        return console_headers(connect=" ".join(filter(None, [ws, s3])), img=s3)

    def _landing(self) -> str:
        return (
            "<!doctype html><html><head><meta charset='utf-8'><title>Parley (local)</title>"
            "</head><body><h1>Parley local runtime</h1><ul>"
            "<li><a href='/demo/'>Demo page with the widget</a></li>"
            "<li><a href='/console/'>Agent console</a></li>"
            "<li><a href='/config.json'>/config.json</a></li>"
            "<li><a href='/v1/health'>/v1/health</a></li></ul>"
            "<script src='/widget/widget.js' data-site-key='" + self.site_key + "' defer>"
            "</script></body></html>")

    # ------------------------------------------------------------------ shutdown
    async def close_all(self) -> None:
        for conn in list(self.connections.values()):
            try:
                await conn.ws.close(code=WSCloseCode.GOING_AWAY, message=b"Server shutdown")
            except Exception:
                pass

    async def _on_shutdown(self, app) -> None:
        await self.close_all()
