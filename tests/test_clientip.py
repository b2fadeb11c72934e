"""sigap.lib.clientip: X-Forwarded-For is believed only from configured proxies."""

import pytest
from django.test import RequestFactory

from sigap.lib.clientip import client_ip


def request(peer, forwarded=None):
    extra = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize("trusted,peer,forwarded,expected", [
    ([], "203.0.113.5", "1.2.3.4", "203.0.113.5"),  # no proxies: the header is ignored
    (["10.0.0.1"], "203.0.113.5", "1.2.3.4", "203.0.113.5"),  # not from the proxy
    (["10.0.0.1"], "10.0.0.1", "1.2.3.4", "1.2.3.4"),
    (["10.0.0.1"], "10.0.0.1", "6.6.6.6, 1.2.3.4", "1.2.3.4"),  # the client wrote 6.6.6.6
    (["10.0.0.0/8"], "10.0.0.1", "1.2.3.4, 10.0.0.7", "1.2.3.4"),  # two proxies
    (["10.0.0.1"], "10.0.0.1", "", "10.0.0.1"),
    (["10.0.0.1"], "10.0.0.1", "garbage, 1.2.3.4", "1.2.3.4"),
    (["10.0.0.1"], "10.0.0.1", "1.2.3.4, garbage", "10.0.0.1"),
    (["::1"], "::1", "2001:db8::5", "2001:db8::5"),
    ([], "not-an-ip", None, ""),
])
def test_it_believes_the_header_only_from_trusted_proxies(settings, trusted, peer, forwarded,
                                                          expected):
    settings.SIGAP_TRUSTED_PROXIES = trusted
    assert client_ip(request(peer, forwarded)) == expected


def test_settings_refuse_a_malformed_proxy(monkeypatch):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import sigap.settings"], capture_output=True, text=True,
        env={"SIGAP_TRUSTED_PROXIES": "10.0.0.1,nonsense", "PATH": "/usr/bin"})
    assert result.returncode != 0 and "SIGAP_TRUSTED_PROXIES" in result.stderr


@pytest.mark.parametrize("text,count,seconds", [("30/min", 30, 60), ("5/10min", 5, 600),
                                                ("300/hour", 300, 3600), ("2/day", 2, 86400)])
def test_rates_read_as_written(text, count, seconds):
    from sigap.lib.ratelimit import parse

    assert (parse(text).count, parse(text).seconds) == (count, seconds)


@pytest.mark.parametrize("text", ["", "30", "x/min", "5/fortnight", "-1/min"])
def test_a_malformed_rate_is_refused(text):
    from sigap.lib.ratelimit import parse

    with pytest.raises(ValueError):
        parse(text)
