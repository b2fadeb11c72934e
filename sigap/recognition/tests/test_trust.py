"""Trusted reporters: a track record skips the verification queue, through the kernel."""

from datetime import timedelta

import pytest

from sigap.recognition import services as recognition
from sigap.recognition.models import TrustRevocation
from sigap.reports.models import Report, ReportEvent
from sigap.reports.workflow import Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def trusted(make_report, make_user, fixed, now):
    """A citizen with five reports verified and fixed by the DLHK desk."""
    citizen = make_user(display_name="Maria Lado")
    for _ in range(5):
        fixed(make_report(reporter=citizen), now - timedelta(days=3))
    return citizen


def test_a_trusted_reporters_new_report_skips_the_queue(make_report, trusted, now):
    report = make_report(reporter=trusted)
    assert report.status == Status.VERIFIED and report.verified_at == now
    event = report.events.get(action="verify")
    assert (event.actor_id, event.actor_role, event.old, event.new) == (
        None, "system", "submitted", "verified")
    assert "pelapor tepercaya" in event.note
    assert event.data == {"by": "trusted_reporter", "reporter": trusted.pk, "verified": 5,
                          "rejected": 0}


def test_four_verified_reports_are_not_yet_a_track_record(make_report, make_user, fixed,
                                                          now):
    citizen = make_user()
    for _ in range(4):
        fixed(make_report(reporter=citizen), now)
    assert make_report(reporter=citizen).status == Status.SUBMITTED


def test_too_many_rejections_lose_the_trust(make_report, trusted, rejected, now, kupang):
    rejected(make_report(reporter=trusted), now)  # 1 of 6: 17 %, still trusted
    assert recognition.trust_of(trusted.pk, kupang.pk).trusted
    rejected(make_report(reporter=trusted), now)  # 2 of 7: 29 %
    assert not recognition.trust_of(trusted.pk, kupang.pk).trusted
    assert make_report(reporter=trusted).status == Status.SUBMITTED


def test_the_thresholds_are_settings(make_report, make_user, fixed, now, settings):
    settings.SIGAP_TRUST_MIN_VERIFIED = 1
    citizen = make_user()
    fixed(make_report(reporter=citizen), now)
    assert make_report(reporter=citizen).status == Status.VERIFIED


def test_anonymous_and_staff_entered_reports_wait_in_the_queue(make_report, trusted):
    assert make_report(reporter=trusted, is_anonymous=True).status == Status.SUBMITTED
    assert make_report(reporter=trusted, source=Report.Source.PHONE).status == \
        Status.SUBMITTED


def test_the_office_revokes_and_restores_trust(make_report, trusted, make_user, now, kupang):
    admin = make_user("admin")
    recognition.revoke_trust(kupang, trusted, by=admin, now=now, reason="Foto palsu")
    assert make_report(reporter=trusted).status == Status.SUBMITTED
    trust = recognition.trust_of(trusted.pk, kupang.pk)
    assert not trust.trusted and trust.revoked.revoked_by == admin
    recognition.restore_trust(kupang, trusted)
    assert not TrustRevocation.objects.exists()
    assert make_report(reporter=trusted).status == Status.VERIFIED


def test_trust_is_per_city(make_report, trusted, make_user, now, kupang, jayapura):
    recognition.revoke_trust(jayapura, trusted, by=make_user("admin"), now=now)
    assert recognition.trust_of(trusted.pk, kupang.pk).trusted
    assert not recognition.trust_of(trusted.pk, jayapura.pk).trusted


def test_auto_verification_writes_one_event_and_no_status_by_hand(make_report, trusted):
    report = make_report(reporter=trusted)
    kinds = list(ReportEvent.objects.filter(report=report).order_by("pk")
                 .values_list("kind", "action"))
    assert kinds == [("created", ""), ("status", "verify")]
