"""Points and badges: only for reports staff verified and that got fixed, never for volume."""

from datetime import UTC, datetime, timedelta

import pytest

from sigap.recognition import points, services as recognition
from sigap.recognition.points import Row
from sigap.reports import services

pytestmark = pytest.mark.django_db


def test_it_gives_no_points_for_volume(make_report, make_user, rejected, desk, now, kupang):
    citizen = make_user()
    for _ in range(6):
        rejected(make_report(reporter=citizen), now)
    for _ in range(6):
        make_report(reporter=citizen)  # open, never verified
    verified_only = make_report(reporter=citizen)
    services.verify(verified_only.pk, actor=desk[0], now=now)
    standing = recognition.standing(citizen, kupang)
    assert (standing.points, standing.fixed, standing.badges) == (0, 0, [])


def test_it_gives_nothing_for_supports_and_comments(make_report, make_user, now, kupang):
    citizen, author = make_user(), make_user()
    other = make_report(reporter=author)
    services.support(other.pk, supporter_key=f"user:{citizen.pk}", user=citizen, now=now)
    services.add_comment(other.pk, actor=citizen, text="Betul, parah sekali", now=now)
    assert recognition.standing(citizen, kupang).points == 0


def test_a_verified_and_fixed_report_earns_points_and_the_first_badge(
        make_report, make_user, fixed, now, kupang):
    citizen = make_user()
    fixed(make_report(reporter=citizen), now)
    standing = recognition.standing(citizen, kupang)
    assert (standing.points, standing.fixed) == (points.POINTS_PER_FIXED, 1)
    assert [b.code for b in standing.badges] == ["first"]


def test_a_fixed_report_reopened_no_longer_counts(make_report, make_user, fixed, now, kupang):
    citizen = make_user()
    report = fixed(make_report(reporter=citizen), now)
    services.reopen(report.pk, actor=citizen, now=now + timedelta(hours=1),
                    reason="Sampah kembali menumpuk")
    assert recognition.standing(citizen, kupang).points == 0


def test_a_duplicate_earns_nothing(make_report, make_user, desk, now, kupang):
    citizen = make_user()
    kept = make_report()
    copy = make_report(reporter=citizen)
    services.mark_duplicate(copy.pk, actor=desk[0], now=now, of=kept)
    assert recognition.standing(citizen, kupang).points == 0


def row(status="resolved", verified=True, resolved=True, code="SAMPAH"):
    at = datetime(2026, 11, 1, tzinfo=UTC)
    return Row(status, at if verified else None, at if resolved else None, code)


@pytest.mark.parametrize("rows,expected", [
    ([row(), row("closed")], 20),
    ([row(verified=False)], 0),  # never verified by staff
    ([row("rejected"), row("duplicate"), row("in_progress"), row("reopened")], 0),
    ([row("submitted", verified=False, resolved=False)] * 100, 0),
])
def test_the_points_table(rows, expected):
    assert points.points(rows) == expected


def test_the_badges_for_5_25_and_three_categories():
    five = [row(code="SAMPAH")] * 5
    assert [b.code for b in points.badges(five)] == ["first", "five"]
    kinds = [row(code=c) for c in ("SAMPAH", "JALAN", "LAMPU")]
    assert [b.code for b in points.badges(kinds)] == ["first", "three_kinds"]
    many = [row(code=c) for c in ("SAMPAH", "JALAN", "LAMPU")] * 9
    assert [b.code for b in points.badges(many)] == ["first", "five", "twentyfive",
                                                     "three_kinds"]
    rejected_kinds = [row("rejected", code=c) for c in ("SAMPAH", "JALAN", "LAMPU")]
    assert points.badges(rejected_kinds) == []
