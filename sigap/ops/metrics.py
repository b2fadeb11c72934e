"""Prometheus metrics at each node's `/metrics`.

Requests and latencies come from django-prometheus's middleware (counters and histograms in
this process). Gunicorn runs several worker processes per node, so with
PROMETHEUS_MULTIPROC_DIR set (the cluster and the systemd unit set it, one directory per
node, emptied when the node starts) the page sums every worker of the node through
prometheus_client's multiprocess collector; without it, it shows the answering process only.

The figures of the whole installation — queue depth, outbox age, notification failures,
reports per city — are read from the database and the queue when the page is asked for
(`SigapCollector`), never kept in a process, so every node's page agrees on them.

Only addresses in SIGAP_METRICS_ALLOWED_IPS (default: loopback) may read the page: it names
cities and queue sizes, which are nobody else's business.
"""

from __future__ import annotations

import ipaddress
import os

import prometheus_client
from django.conf import settings
from django.db.models import Count, Min
from django.http import HttpResponse, HttpResponseForbidden
from django.utils import timezone
from prometheus_client import multiprocess
from prometheus_client.core import GaugeMetricFamily

from sigap.lib.clientip import client_ip, parse_networks
from sigap.notifications.models import Notification
from sigap.reports.models import Outbox, Report


class SigapCollector:
    """The installation's own gauges, read at each scrape."""

    def __init__(self, now=timezone.now):
        self.now = now

    def collect(self):
        # Imported here: the queue is configured by djhuey when Django's apps are ready.
        from huey.contrib.djhuey import HUEY

        queue = GaugeMetricFamily("sigap_queue_pending", "Jobs waiting in the queue (Huey).")
        queue.add_metric([], HUEY.pending_count())
        yield queue
        scheduled = GaugeMetricFamily("sigap_queue_scheduled",
                                      "Jobs scheduled for later (Huey's schedule).")
        scheduled.add_metric([], HUEY.scheduled_count())
        yield scheduled

        now = self.now()
        outbox = Outbox.objects.aggregate(n=Count("pk"), oldest=Min("event__at"))
        rows = GaugeMetricFamily("sigap_outbox_events", "Recorded events not yet handled.")
        rows.add_metric([], outbox["n"])
        yield rows
        age = GaugeMetricFamily("sigap_outbox_oldest_age_seconds",
                                "Age of the oldest event not yet handled (0: none waiting).")
        age.add_metric([], (now - outbox["oldest"]).total_seconds() if outbox["oldest"] else 0)
        yield age

        states = dict(Notification.objects.filter(
            state__in=[Notification.State.PENDING, Notification.State.FAILED])
            .values_list("state").annotate(n=Count("pk")).order_by())
        failed = GaugeMetricFamily("sigap_notifications_failed",
                                   "Notifications whose delivery failed for good.")
        failed.add_metric([], states.get(Notification.State.FAILED, 0))
        yield failed
        retrying = Notification.objects.filter(
            state=Notification.State.PENDING, attempts__gt=0).aggregate(
            n=Count("pk"), oldest=Min("created_at"))
        pending = GaugeMetricFamily("sigap_notifications_pending",
                                    "Notifications not yet delivered.")
        pending.add_metric([], states.get(Notification.State.PENDING, 0))
        yield pending
        retry = GaugeMetricFamily("sigap_notifications_retrying",
                                  "Pending notifications that failed at least once.")
        retry.add_metric([], retrying["n"])
        yield retry
        oldest = Notification.objects.filter(state=Notification.State.PENDING).aggregate(
            oldest=Min("created_at"))["oldest"]
        wait = GaugeMetricFamily("sigap_notifications_oldest_pending_age_seconds",
                                 "Age of the oldest notification not yet delivered.")
        wait.add_metric([], (now - oldest).total_seconds() if oldest else 0)
        yield wait

        reports = GaugeMetricFamily("sigap_reports", "Reports per city and status.",
                                    labels=["city", "status"])
        for city, status, n in (Report.objects.values_list("city__code", "status")
                                .annotate(n=Count("pk")).order_by("city__code", "status")):
            reports.add_metric([city, status], n)
        yield reports


def _allowed(request) -> bool:
    networks = parse_networks(settings.SIGAP_METRICS_ALLOWED_IPS)
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    return any(address in network for network in networks)


def metrics(request):
    """The node's metrics in Prometheus's text format (allowed addresses only)."""
    if not _allowed(request):
        return HttpResponseForbidden("forbidden\n", content_type="text/plain")
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = prometheus_client.CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = prometheus_client.CollectorRegistry()
        registry.register(_ProcessRegistry())
    registry.register(SigapCollector())
    return HttpResponse(prometheus_client.generate_latest(registry),
                        content_type=prometheus_client.CONTENT_TYPE_LATEST)


class _ProcessRegistry:
    """This process's own metrics (django-prometheus's, Python's), beside Sigap's."""

    def collect(self):
        yield from prometheus_client.REGISTRY.collect()
