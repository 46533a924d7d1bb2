"""Webhook targets: only https:// in production, http:// to loopback only in local mode;
private, link-local (the metadata service), shared, reserved addresses refused at save time
(IP literals) and at delivery time (whatever the name resolves to then)."""
import pytest

from chalicelib.adapters import webhook_http


@pytest.mark.parametrize("url", [
    "http://hooks.example.com/in",             # http in production
    "http://127.0.0.1:8080/in",                # loopback is local mode only
    "https://10.0.0.5/in", "https://192.168.1.1/in", "https://172.16.0.1/in",
    "https://169.254.169.254/latest/meta-data/",        # the metadata service
    "https://[fd00:ec2::254]/", "https://[::ffff:169.254.169.254]/",
    "https://100.64.0.1/", "https://0.0.0.0/", "https://user:pw@hooks.example.com/",
    "ftp://hooks.example.com/", "file:///etc/passwd", "https:///nohost",
])
def test_refused_in_production(url):
    assert webhook_http.url_refusal(url, allow_loopback=False)


def test_https_to_a_public_name_is_accepted_at_save_time():
    assert webhook_http.url_refusal("https://hooks.example.com/in", allow_loopback=False) is None


def test_local_mode_allows_http_to_loopback_only():
    assert webhook_http.url_refusal("http://127.0.0.1:8080/in", allow_loopback=True) is None
    assert webhook_http.url_refusal("http://localhost:8080/in", allow_loopback=True) is None
    assert webhook_http.url_refusal("http://hooks.example.com/in", allow_loopback=True)
    assert webhook_http.url_refusal("https://10.1.2.3/in", allow_loopback=True)


@pytest.mark.parametrize("address", ["10.0.0.7", "169.254.169.254", "192.168.0.2",
                                     "fd12::1", "::ffff:10.0.0.1", "127.0.0.1"])
def test_a_name_resolving_to_an_internal_address_is_refused_at_delivery(address):
    def resolver(host, port):
        return [address]
    result = webhook_http.post("https://hooks.example.com/in", b"{}", {},
                               allow_loopback=False, resolver=resolver)
    assert not result.ok and result.status_code is None
    assert result.error.startswith("refused:")


def test_http_to_a_name_resolving_off_loopback_is_refused_even_in_local_mode():
    result = webhook_http.post("http://localhost/in", b"{}", {}, allow_loopback=True,
                               resolver=lambda h, p: ["93.184.216.34"])
    assert not result.ok and "loopback" in result.error
