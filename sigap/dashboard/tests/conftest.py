"""A small fixed city history whose every figure was worked out by hand (test_figures.py).

Nine garbage reports (SAMPAH: DLHK, first response within 24 h, resolution within 72 h,
round the clock), received on 5–13 January 2026 at the same spot, each led through the
real services with explicit times; hours below are counted from each report's creation.
"""

from datetime import datetime, timedelta, timezone

import pytest

from sigap.reports import services

JAN = datetime(2026, 1, 5, 1, 0, tzinfo=timezone.utc)


@pytest.fixture
def people(make_user):
    made = {}
    roles = {"admin": ("admin", None), "executive": ("executive", None),
             "head": ("head", "DLHK"), "head_pupr": ("head", "PUPR"),
             "dispatcher": ("dispatcher", "DLHK"), "officer": ("officer", "DLHK"),
             "citizen": ("citizen", None)}

    def person(name):
        if name not in made:
            role, agency = roles[name]
            made[name] = make_user(role, agency=agency, email=f"{name}@sigap.test")
        return made[name]

    return person


@pytest.fixture
def history(make_report, people, photo, kupang):
    """Return {name: Report} for R1..R9 (see the module docstring of test_figures.py)."""
    from sigap.agencies.models import Agency

    desk, officer = people("dispatcher"), people("officer")
    reports = {}

    def new(name, day):
        at = JAN + timedelta(days=day)
        reports[name] = make_report(at=at, contact=services.Contact(
            name="Budi Rahasia", phone="+6281234567890", email="budi@example.com"))
        return reports[name].pk, at

    def h(at, hours):
        return at + timedelta(hours=hours)

    def work(pk, at, verify_h, resolve_h):
        services.verify(pk, actor=desk, now=h(at, verify_h))
        services.assign(pk, actor=desk, now=h(at, verify_h + 0.5), officer=officer)
        services.resolve(pk, actor=officer, now=h(at, resolve_h), note="Sudah diangkut",
                         photos=[photo()])

    pk, at = new("R1", 0)  # fixed, confirmed: response 2 h, resolution 30 h, 5 stars
    work(pk, at, 2, 30)
    services.reporter_confirms(pk, fixed=True, now=h(at, 40), stars=5)
    pk, at = new("R2", 1)  # closed by the agency: response 4 h, resolution 80 h (late)
    work(pk, at, 4, 80)
    services.close(pk, actor=desk, now=h(at, 90))
    pk, at = new("R3", 2)  # resolved, no reply within 7 days: response 6 h, resolution 50 h
    work(pk, at, 6, 50)
    pk, at = new("R4", 3)  # late response (30 h), reopened, resolved again at 100 h, 2 stars
    work(pk, at, 30, 60)
    services.reporter_confirms(pk, fixed=False, now=h(at, 70), reason="Masih ada")
    services.assign(pk, actor=desk, now=h(at, 71), officer=officer)
    services.resolve(pk, actor=officer, now=h(at, 100), note="Bersih", photos=[photo()])
    services.reporter_confirms(pk, fixed=True, now=h(at, 110), stars=2)
    pk, at = new("R5", 4)  # rejected
    services.reject(pk, actor=desk, now=h(at, 1), reason="Bukan wewenang kota")
    pk, at = new("R6", 5)  # duplicate of R1
    services.mark_duplicate(pk, actor=desk, now=h(at, 1), of=reports["R1"])
    pk, at = new("R7", 6)  # waiting on the citizen: response 10 h, SLA paused at 12 h
    services.verify(pk, actor=desk, now=h(at, 10))
    services.pause_sla(pk, actor=desk, now=h(at, 12), note="Mohon foto lebih jelas")
    pk, at = new("R8", 7)  # handed over to PUPR at 5 h, not yet taken up there
    services.reassign(pk, actor=desk, now=h(at, 5),
                      agency=Agency.objects.get(city=kupang, code="PUPR"), reason="Drainase")
    new("R9", 8)  # untouched
    for r in reports.values():
        r.refresh_from_db()
    return reports
