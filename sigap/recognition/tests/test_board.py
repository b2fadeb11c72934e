"""The monthly kelurahan board: names only for those who opted in, per month, per area."""

from datetime import datetime, timedelta, timezone

import pytest

from sigap.recognition import services as recognition

pytestmark = pytest.mark.django_db

PENFUI = (-10.1716, 123.6711)  # Penfui, Maulafa (sigap/reports/tests/test_services.py)


def names(board):
    return {b.kelurahan: [(e.name, e.fixed, e.points) for e in b.entries] for b in board}


def test_it_names_only_citizens_who_opted_in(make_report, make_user, fixed, now, kupang):
    shy = make_user(display_name="Yohanes Shy", phone="+6281234567890",
                    email="shy@example.org")
    proud = make_user(display_name="Maria Lado")
    recognition.set_show_name(proud, True)
    for citizen, n in ((shy, 2), (proud, 1)):
        for _ in range(n):
            fixed(make_report(reporter=citizen, lat=PENFUI[0], lng=PENFUI[1]), now)
    board = recognition.monthly_board(kupang, *recognition.month_bounds(kupang, 2026, 11))
    assert names(board) == {"Penfui": [("", 2, 20), ("Maria Lado", 1, 10)]}
    recognition.set_show_name(proud, False)
    board = recognition.monthly_board(kupang, *recognition.month_bounds(kupang, 2026, 11))
    assert names(board) == {"Penfui": [("", 2, 20), ("", 1, 10)]}


def test_it_counts_the_month_the_report_was_fixed_in_the_city_zone(
        make_report, make_user, fixed, kupang):
    citizen = make_user(display_name="Maria Lado")
    recognition.set_show_name(citizen, True)
    # 31 Oct 16:30 UTC is already 1 November in Kupang (WITA, UTC+8).
    november = datetime(2026, 10, 31, 16, 30, tzinfo=timezone.utc)
    fixed(make_report(reporter=citizen, at=november - timedelta(days=1)), november)
    october = datetime(2026, 10, 31, 15, 30, tzinfo=timezone.utc)
    fixed(make_report(reporter=citizen, at=october - timedelta(days=1)), october)
    nov = recognition.monthly_board(kupang, *recognition.month_bounds(kupang, 2026, 11))
    oct_ = recognition.monthly_board(kupang, *recognition.month_bounds(kupang, 2026, 10))
    assert [e.fixed for b in nov for e in b.entries] == [1]
    assert [e.fixed for b in oct_ for e in b.entries] == [1]
    assert not recognition.monthly_board(kupang, *recognition.month_bounds(kupang, 2026, 9))


def test_it_ranks_each_kelurahan_on_its_own(make_report, make_user, fixed, now, kupang):
    a, b = make_user(), make_user()
    fixed(make_report(reporter=a, lat=PENFUI[0], lng=PENFUI[1]), now)
    fixed(make_report(reporter=b), now)
    fixed(make_report(reporter=b), now)
    board = recognition.monthly_board(kupang, *recognition.month_bounds(kupang, 2026, 11))
    assert len(board) == 2
    assert sorted(e.fixed for b_ in board for e in b_.entries) == [1, 2]
    assert all(len(b_.entries) == 1 for b_ in board)


def test_open_rejected_anonymous_and_confidential_reports_stay_off_the_board(
        make_report, make_user, fixed, rejected, now, kupang):
    citizen = make_user(display_name="Maria Lado")
    recognition.set_show_name(citizen, True)
    make_report(reporter=citizen)
    rejected(make_report(reporter=citizen), now)
    fixed(make_report(reporter=citizen, is_anonymous=True), now)
    fixed(make_report(reporter=citizen, is_public=False), now)
    assert recognition.monthly_board(
        kupang, *recognition.month_bounds(kupang, 2026, 11)) == []


def test_the_board_takes_three_queries(make_report, make_user, fixed, now, kupang,
                                       django_assert_num_queries):
    for i in range(4):
        citizen = make_user(display_name=f"Warga {i}")
        recognition.set_show_name(citizen, True)
        fixed(make_report(reporter=citizen), now)
    with django_assert_num_queries(3):
        board = recognition.monthly_board(kupang,
                                          *recognition.month_bounds(kupang, 2026, 11))
    assert len(board[0].entries) == 4
