"""The local receiver (infra/local/webhook_receiver.py) accepts what Parley signs and refuses
a forged signature; it listens on loopback and stops after --max-events."""
import contextlib
import io
import json
import socket
import threading
import time
import urllib.error
import urllib.request

from chalicelib.domain import webhooks as rules
from infra.local import webhook_receiver


def _post(port, body, signature):
    req = urllib.request.Request(f"http://127.0.0.1:{port}/", data=body, method="POST",
                                 headers={"Parley-Signature": signature,
                                          "Parley-Event-Id": "msg:c_1:1",
                                          "Parley-Event-Type": "message.created"})
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_receiver_checks_signatures():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = io.StringIO()

    def run():
        with contextlib.redirect_stdout(out):
            webhook_receiver.serve("whsec_x", port, max_events=2)
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    body = b'{"id":"msg:c_1:1"}'
    good = rules.signature("whsec_x", int(time.time()), body)
    for _ in range(50):                      # until it listens (bounded)
        try:
            status = _post(port, body, good)
            break
        except urllib.error.URLError:
            time.sleep(0.05)
    assert status == 200
    assert _post(port, body, rules.signature("whsec_other", int(time.time()), body)) == 401
    thread.join(5)
    assert not thread.is_alive()
    lines = [json.loads(x) for x in out.getvalue().splitlines() if x.startswith("{")]
    assert [x["signature_valid"] for x in lines] == [True, False]
