"""The local API Gateway stand-in (infra/local/gateway.py) when a WebSocket client gives up
during a slow $connect: the connection $connect registered gets its $disconnect (no row is
left behind) and nothing logs a traceback. No AWS: a tiny Chalice app records the calls.
Loopback only; every wait is bounded and nothing asserts on elapsed time."""
import asyncio
import concurrent.futures
import logging
import threading
import types

from chalice import Chalice

from infra.local.gateway import Gateway


def _fake_app():
    app = Chalice(app_name="handshake")
    app.experimental_feature_flags.update(["WEBSOCKETS"])
    calls, entered, release, gone = [], threading.Event(), threading.Event(), threading.Event()

    @app.on_ws_connect()
    def ws_connect(event):
        entered.set()
        release.wait(10)                      # the slow handshake
        calls.append(("connect", event.connection_id))
        return {"statusCode": 200}

    @app.on_ws_disconnect()
    def ws_disconnect(event):
        calls.append(("disconnect", event.connection_id))
        gone.set()

    module = types.SimpleNamespace(ws_connect=ws_connect, ws_disconnect=ws_disconnect)
    return app, module, calls, entered, release, gone


async def _abandon_handshake(gateway, entered, release, gone):
    from aiohttp import web
    runner = web.AppRunner(gateway.web_app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    gateway.base_url = f"http://127.0.0.1:{port}"
    loop = asyncio.get_running_loop()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /ws?token=t HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                     b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                     b"Sec-WebSocket-Version: 13\r\n\r\n")
        await writer.drain()
        assert await loop.run_in_executor(None, entered.wait, 10)
        writer.close()                        # the client gives up mid-handshake
        await writer.wait_closed()
        await asyncio.sleep(0)
        release.set()
        return await loop.run_in_executor(None, gone.wait, 10)
    finally:
        release.set()
        await runner.cleanup()
        gateway.pool.shutdown(wait=False)


def test_abandoned_handshake_gets_its_disconnect_and_no_traceback(caplog):
    app, module, calls, entered, release, gone = _fake_app()
    gateway = Gateway(app, module, pool_size=4)
    # a loop of its own in a thread: browser tests earlier in the same run leave Playwright's
    # loop running in this one
    with caplog.at_level(logging.DEBUG, logger="aiohttp"), \
            concurrent.futures.ThreadPoolExecutor(1) as pool:
        disconnected = pool.submit(asyncio.run, _abandon_handshake(
            gateway, entered, release, gone)).result(timeout=60)
    assert disconnected, calls
    assert [c[0] for c in calls] == ["connect", "disconnect"]
    assert calls[0][1] == calls[1][1]          # the same connection id
    assert gateway.connections == {}
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]
