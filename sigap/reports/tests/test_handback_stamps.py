from datetime import timedelta

import pytest

from sigap.reports import services
from sigap.reports.models import Report


@pytest.mark.django_db
def test_a_handback_keeps_the_time_the_report_was_verified(make_report, make_user, now):
    report = make_report()
    dispatcher = make_user("dispatcher", agency=report.agency)
    officer = make_user("officer", agency=report.agency)
    services.verify(report.pk, actor=dispatcher, now=now)
    services.assign(report.pk, actor=dispatcher, now=now + timedelta(hours=1), officer=officer)
    services.start(report.pk, actor=officer, now=now + timedelta(hours=2))
    services.handback(report.pk, actor=officer, now=now + timedelta(hours=3),
                      reason="Butuh alat berat")
    report = Report.objects.get(pk=report.pk)
    assert report.status == "verified"
    assert report.verified_at == now
    assert report.officer_id is None


@pytest.mark.django_db
def test_a_first_verification_is_still_stamped(make_report, make_user, now):
    report = make_report()
    dispatcher = make_user("dispatcher", agency=report.agency)
    services.verify(report.pk, actor=dispatcher, now=now + timedelta(minutes=5))
    assert Report.objects.get(pk=report.pk).verified_at == now + timedelta(minutes=5)
