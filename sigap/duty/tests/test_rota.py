"""The rota's rules as pure functions: weekdays, nights over midnight, holidays, dates, and
the emergency paging schedule."""

from datetime import date, datetime, time

from sigap.duty import rota

MON = date(2026, 11, 2)  # a Monday


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm))


def rule(weekdays="01234", starts=time(8), ends=time(16), holidays=rota.ALSO, **kw):
    return rota.ShiftRule(1, None, frozenset(int(c) for c in weekdays), starts, ends,
                          holidays, **kw)


def test_it_puts_a_day_shift_on_duty_on_its_weekdays_only():
    day = rule()
    assert rota.is_on(day, at(MON, 8))
    assert rota.is_on(day, at(MON, 15, 59))
    assert not rota.is_on(day, at(MON, 16))
    assert not rota.is_on(day, at(MON, 7, 59))
    assert not rota.is_on(day, at(date(2026, 11, 7), 10))  # Saturday


def test_it_gives_the_hours_after_midnight_to_the_night_the_shift_started():
    friday_night = rule("4", time(22), time(6))
    assert rota.is_on(friday_night, at(date(2026, 11, 6), 23))  # Friday 23:00
    assert rota.is_on(friday_night, at(date(2026, 11, 7), 2))  # Saturday 02:00
    assert not rota.is_on(friday_night, at(date(2026, 11, 6), 2))  # Friday 02:00: Thursday's
    assert not rota.is_on(friday_night, at(date(2026, 11, 7), 6))


def test_it_reads_equal_start_and_end_as_round_the_clock():
    always = rule("0123456", time(7), time(7))
    assert all(rota.is_on(always, at(MON, h)) for h in range(24))


def test_it_follows_the_shifts_holiday_setting():
    christmas = date(2026, 12, 25)  # a Friday and a public holiday
    holidays = frozenset({christmas})
    assert rota.is_on(rule(holidays=rota.ALSO), at(christmas, 9), holidays)
    assert not rota.is_on(rule(holidays=rota.OFF), at(christmas, 9), holidays)
    only = rule("", holidays=rota.ONLY)
    assert rota.is_on(only, at(christmas, 9), holidays)
    assert not rota.is_on(only, at(MON, 9), holidays)
    # A night shift that starts on the eve of a holiday is the eve's shift.
    eve = rule("3", time(22), time(6), holidays=rota.OFF)
    assert rota.is_on(eve, at(christmas, 3), holidays)


def test_it_keeps_a_shift_within_its_dates():
    november = rule(valid_from=date(2026, 11, 3), valid_until=date(2026, 11, 30))
    assert not rota.is_on(november, at(MON, 9))
    assert rota.is_on(november, at(date(2026, 11, 3), 9))
    assert not rota.is_on(november, at(date(2026, 12, 1), 9))


def test_it_lists_who_is_on_duty():
    rules = [rota.ShiftRule(1, None, frozenset(range(7)), time(8), time(16)),
             rota.ShiftRule(2, None, frozenset(range(7)), time(16), time(8))]
    assert rota.on_duty(rules, at(MON, 9)) == {1}
    assert rota.on_duty(rules, at(MON, 3)) == {2}


def test_it_schedules_pages_then_the_escalation():
    steps = rota.schedule(ack_minutes=3, repages=2, escalate_after_minutes=10)
    assert [(s.minutes, s.kind) for s in steps] == [
        (0, "page"), (3, "page"), (6, "page"), (10, "escalate")]
    # Re-pages that would fall after the escalation are not made.
    steps = rota.schedule(ack_minutes=5, repages=4, escalate_after_minutes=12)
    assert [(s.minutes, s.kind) for s in steps] == [
        (0, "page"), (5, "page"), (10, "page"), (12, "escalate")]
