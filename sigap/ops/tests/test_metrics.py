"""Prometheus metrics: requests from django-prometheus, the installation's own gauges, and
only for allowed addresses."""

from datetime import timedelta

import pytest

from sigap.notifications.models import Notification
from sigap.ops import metrics
from sigap.reports.models import Outbox, ReportEvent


def metric(text: str, name: str) -> dict[str, float]:
    """Return {labels: value} of one metric in Prometheus's text format."""
    out = {}
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            key, value = line.rsplit(" ", 1)
            out[key[len(name):]] = float(value)
    return out


@pytest.mark.django_db
def test_it_refuses_addresses_outside_the_allowed_ones(client, settings):
    settings.SIGAP_METRICS_ALLOWED_IPS = ["127.0.0.1/32"]
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200


@pytest.mark.django_db
def test_a_forwarded_outsider_is_refused_through_a_trusted_proxy(client, settings):
    # Behind the load balancer on loopback, the peer is always 127.0.0.1: the forwarded
    # client's address is the one that counts.
    settings.SIGAP_TRUSTED_PROXIES = ["127.0.0.1"]
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1",
                          HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert response.status_code == 403


@pytest.mark.django_db
def test_it_counts_requests_and_shows_the_installations_gauges(client, make_report, now):
    report = make_report()
    make_report(code="SAMPAH", at=now + timedelta(minutes=3))
    event = ReportEvent.objects.filter(report=report).first()
    assert Outbox.objects.count() == 2  # both creates wait for the worker
    Notification.objects.create(event=event, report=report, recipient="e:x@example.org",
                                channel="email", destination="x@example.org",
                                purpose="status", state="failed", created_at=now)
    client.get("/healthz")
    text = client.get("/metrics", REMOTE_ADDR="127.0.0.1").content.decode()
    assert metric(text, "sigap_reports") == {'{city="kupang",status="submitted"}': 2.0}
    assert metric(text, "sigap_notifications_failed") == {"": 1.0}
    assert metric(text, "sigap_outbox_events") == {"": 2.0}
    assert metric(text, "sigap_queue_pending") == {"": 0.0}
    later = {m.name: m.samples for m in
             metrics.SigapCollector(now=lambda: now + timedelta(minutes=7)).collect()}
    assert later["sigap_outbox_oldest_age_seconds"][0].value == 7 * 60
    assert metric(text, "sigap_queue_pending") == {"": 0.0}
    assert any(v >= 1 for v in metric(text, "django_http_requests_total_by_method_total")
               .values())
