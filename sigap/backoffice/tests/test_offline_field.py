"""Issue 23, item 4, in a real browser (Chromium, offline emulation): the officer opens the
task with signal, loses it, reloads the task page (served by the office service worker from
the phone's cache, not by the server), resolves with a proof photo while offline (kept in the
outbox, marked as queued under an offline banner), and when the signal returns the resolve
reaches the server exactly once: one resolve event, one proof photo.
Screenshots at 360×640 and 360×740: docs/screenshots/officer-offline-*.png."""

from datetime import timedelta

import pytest
from django.core.signals import request_started
from django.utils import timezone

from sigap.citizen.tests.browsing import PHONES, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def server_saw():
    """The paths the live server was asked for, in order."""
    paths: list[str] = []

    def record(sender, environ=None, **kwargs):
        paths.append((environ or {}).get("PATH_INFO", ""))

    request_started.connect(record, weak=False, dispatch_uid="test-offline-field")
    yield paths
    request_started.disconnect(dispatch_uid="test-offline-field")


@pytest.mark.parametrize("viewport", PHONES, ids=lambda v: f"{v['width']}x{v['height']}")
def test_the_officer_resolves_offline_and_it_arrives_once(
        screen, live_server, make_user, make_report, photo, tmp_path, server_saw, viewport):
    from conftest import Client
    from sigap.reports import services
    from sigap.reports.models import IdempotencyKey, Photo, Report

    now = timezone.now()
    officer = make_user("officer", agency="DLHK", display_name="Yohanes Petugas")
    dispatcher = make_user("dispatcher", agency="DLHK")
    report = make_report(at=now - timedelta(hours=1))
    services.assign(report.pk, actor=dispatcher, now=now, officer=officer)
    client = Client()
    client.force_login(officer)
    context, page = screen(viewport)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                          "url": live_server.url}])
    name = f"{viewport['width']}x{viewport['height']}"
    task_url = f"{live_server.url}/office/tugas/{report.ticket}/"

    # With signal: the task list (its worker keeps each task page), then the task.
    page.goto(f"{live_server.url}/office/tugas/")
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.goto(task_url)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    for _ in range(100):  # until the worker has kept the task page
        if page.evaluate("(u) => caches.match(u).then(Boolean)", task_url):
            break
        page.wait_for_timeout(100)
    assert page.evaluate("(u) => caches.match(u).then(Boolean)", task_url)

    # No signal: the task page comes from the phone's cache, not from the server.
    context.set_offline(True)
    asked_before = len(server_saw)
    page.reload()
    page.wait_for_selector("#resolve-form")
    assert f"/office/tugas/{report.ticket}/" not in server_saw[asked_before:]
    page.wait_for_selector("#offline-banner:not([hidden])")
    assert "Tidak ada sinyal" in page.inner_text("#offline-banner")

    proof = tmp_path / "bukti.jpg"
    proof.write_bytes(photo(size=(1200, 900), color=(40, 160, 80)))
    page.set_input_files("#proof-input", str(proof))
    page.wait_for_selector("#proof-list img")
    page.fill("#resolve-note", "Sampah sudah diangkut")
    page.click("#resolve-submit")
    page.wait_for_selector("#queued-mark:not([hidden])")
    assert "menunggu sinyal" in page.inner_text("#queued-mark")
    assert "1 tindakan menunggu sinyal" in page.inner_text("#offline-banner")
    page.evaluate("() => window.scrollTo(0, 0)")
    shot(page, f"officer-offline-{name}-queued-resolve")
    assert Report.objects.get(pk=report.pk).status == "assigned"

    # The signal returns: the outbox sends the resolve; a second flush finds nothing left.
    context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    page.wait_for_url("**/office/tugas/", timeout=20_000)
    page.evaluate("() => window.SigapField && window.SigapField.flush()")
    report.refresh_from_db()
    assert report.status == "resolved"
    assert report.events.filter(action="resolve").count() == 1
    assert Photo.objects.filter(report=report, kind=Photo.Kind.PROOF).count() == 1
    assert IdempotencyKey.objects.filter(scope=f"act:{officer.pk}:resolve").count() == 1
    assert page.evaluate("() => window.SigapField.list().then(l => l.length)") == 0
