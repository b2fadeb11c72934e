"""The back office shows exactly the buttons the state machine allows: a page per state and
viewer, its forms read back and compared with the hand-written permissions
(reports/tests/test_permissions.py)."""

import re

import pytest
from django.urls import reverse

from sigap.reports import services
from sigap.reports.models import Report
from sigap.reports.tests.test_permissions import expected
from sigap.reports.workflow import Action, Role, Status

A = Action
REPORT_PAGE = {A.VERIFY, A.ASSIGN, A.REJECT, A.MARK_DUPLICATE, A.RECATEGORISE, A.REASSIGN,
               A.PAUSE, A.RESUME, A.NOTE_INTERNAL, A.NOTE_PUBLIC, A.SCHEDULE, A.REPRIORITISE,
               A.CHANGE_DEADLINE}
TASK_PAGE = {A.START, A.RESOLVE, A.HANDBACK, A.NOTE_INTERNAL, A.NOTE_PUBLIC}
FORM_NAMES = {"duplicate": "mark-duplicate", "deadline": "change-deadline"}
VIEWERS = {"dispatcher": Role.DISPATCHER, "head": Role.HEAD, "admin": Role.ADMIN,
           "officer": Role.OFFICER, "executive": Role.CITIZEN}
STATES = [("submitted", False), ("verified", False), ("assigned", False), ("assigned", True),
          ("in_progress", False), ("resolved", False), ("closed", False), ("reopened", False),
          ("rejected", False), ("duplicate", False), ("scheduled", False)]


def bring(report, status, paused, *, admin, officer, make_report, photo, now):
    """Take a new report to `status` through the services (as staff would)."""
    pk = report.pk
    if status == "rejected":
        services.reject(pk, actor=admin, now=now, reason="spam")
    elif status == "duplicate":
        services.mark_duplicate(pk, actor=admin, now=now, of=make_report())
    elif status != "submitted":
        services.verify(pk, actor=admin, now=now)
    if status in ("assigned", "in_progress", "resolved", "closed", "reopened", "scheduled"):
        services.assign(pk, actor=admin, now=now, officer=officer)
    if status == "scheduled":
        services.schedule(pk, actor=admin, now=now, on=now.date())
    if status == "in_progress":
        services.start(pk, actor=officer, now=now)
    if status in ("resolved", "closed", "reopened"):
        services.resolve(pk, actor=officer, now=now, note="Beres", photos=[photo()])
    if status in ("closed", "reopened"):
        services.close(pk, actor=admin, now=now)
    if status == "reopened":
        services.reopen(pk, actor=admin, now=now, reason="Masih ada")
    if paused:
        services.pause_sla(pk, actor=admin, now=now, note="Foto dari dekat?")
    report = Report.objects.get(pk=pk)
    assert (report.status, report.sla_paused_at is not None) == (status, paused)
    return report


def buttons(page: str) -> set[str]:
    """The actions a page's forms post, with the note form's two kinds."""
    names = {FORM_NAMES.get(n, n) for n in re.findall(r'/aksi/([a-z-]+)/"', page)}
    if "note" in names:
        names.discard("note")
        names |= {f"note-{v}" for v in re.findall(r'name="visibility" value="(\w+)"', page)}
    return names


@pytest.mark.django_db
@pytest.mark.parametrize("status,paused", STATES)
def test_it_shows_exactly_the_allowed_buttons(client, people, make_report, photo, now,
                                              status, paused):
    report = bring(make_report(), status, paused, admin=people("admin"),
                   officer=people("officer"), make_report=make_report, photo=photo, now=now)
    for name, role in VIEWERS.items():
        if name == "officer" and report.officer_id != people("officer").pk:
            role = Role.CITIZEN  # an officer of the agency, but not on this report
        client.force_login(people(name))
        for url_name, offered in (("backoffice:report", REPORT_PAGE),
                                  ("backoffice:task", TASK_PAGE)):
            response = client.get(reverse(url_name, args=[report.ticket]))
            assert response.status_code == 200
            page = response.content.decode()
            want = {str(a) for a in offered if expected(a, role, Status(status), paused)}
            assert buttons(page) == want, (name, url_name)
            if url_name == "backoffice:report":
                assert ("Anda hanya dapat melihat laporan ini." in page) == (not want), name


@pytest.mark.django_db
def test_it_offers_bulk_actions_row_by_row_without_a_query_per_row(
        client, people, make_report, photo, now, django_assert_max_num_queries):
    kw = dict(admin=people("admin"), officer=people("officer"), make_report=make_report,
              photo=photo, now=now)
    new = make_report()
    closed = bring(make_report(), "closed", False, **kw)
    assigned = bring(make_report(), "assigned", False, **kw)
    client.force_login(people("dispatcher"))
    # One more than before issue 26: the index of cities the middleware reads (once a process).
    with django_assert_max_num_queries(15):
        page = client.get(reverse("backoffice:inbox"), {"status": "all"}).content.decode()
    boxes = dict(re.findall(r'name="tickets" value="([^"]+)"[^>]*?( disabled)?>', page))
    assert boxes == {new.ticket: "", closed.ticket: " disabled", assigned.ticket: ""}
    assert 'value="verify"' in page and 'value="assign"' in page
    # Only already assigned reports: nothing to verify, so no verify button.
    page = client.get(reverse("backoffice:inbox"), {"status": "assigned"}).content.decode()
    assert 'value="verify"' not in page and 'value="assign"' in page
    # The executive reads: no boxes, no bar.
    client.force_login(people("executive"))
    page = client.get(reverse("backoffice:inbox"), {"status": "all"}).content.decode()
    assert 'name="tickets"' not in page and "bulkbar" not in page
