"""The tracking page shows exactly what the state machine allows: "Sudah beres?" (close,
reopen, rate) to the reporter, "Saya juga" and the comment form to whoever may, in each
state, compared with the hand-written permissions (reports/tests/test_permissions.py)."""

import pytest
from conftest import Client

from sigap.backoffice.tests.test_buttons import bring
from sigap.reports.tests.test_permissions import expected
from sigap.reports.workflow import Action, Role, Status

A = Action
STATES = ["submitted", "assigned", "resolved", "closed", "reopened", "duplicate"]


def shown(page: str, ticket: str) -> set[str]:
    found = set()
    if 'name="fixed" value="yes"' in page:
        found.add("close")
    if 'name="fixed" value="no"' in page:
        found.add("reopen")
    if 'name="stars"' in page:
        found.add("rate")
    support = page.split(f'action="/r/{ticket}/dukung"', 1)[1].split("</form>", 1)[0]
    if "disabled" not in support:
        found.add("support")
    if f'action="/r/{ticket}/komentar"' in page:
        found.add("comment")
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("status", STATES)
def test_it_shows_exactly_the_allowed_buttons(make_user, make_report, photo, now, status):
    reporter = make_user("citizen", email="pelapor@contoh.id")
    staff = dict(admin=make_user("admin"), officer=make_user("officer", agency="DLHK"))
    report = bring(make_report(reporter=reporter), status, False, make_report=make_report,
                   photo=photo, now=now, **staff)
    keyed = make_report(is_anonymous=True)  # followed by its private link only
    keyed = bring(keyed, status, False, make_report=make_report, photo=photo, now=now, **staff)
    visitors = [
        ("reporter", reporter, report, "", Role.REPORTER, Role.REPORTER),
        ("citizen", make_user("citizen"), report, "", None, Role.CITIZEN),
        ("visitor", None, report, "", None, Role.NONE),
        ("private link", None, keyed, f"?k={keyed.tracking_key}", Role.REPORTER, Role.NONE),
    ]
    for name, user, r, query, reporter_role, role in visitors:
        client = Client()
        if user is not None:
            client.force_login(user)
        response = client.get(r.get_absolute_url() + query)
        if response.status_code == 404:
            assert status == "duplicate" and reporter_role is None, name
            continue
        st = Status(status)
        want = {str(a) for a in (A.SUPPORT, A.COMMENT) if expected(a, role, st)}
        if reporter_role is not None:
            want |= {str(a) for a in (A.CLOSE, A.REOPEN) if expected(a, reporter_role, st)}
            # The stars come with "Ya, sudah beres": a rating given as it closes.
            if expected(A.RATE, reporter_role, st) and expected(A.CLOSE, reporter_role, st):
                want.add("rate")
        assert shown(response.content.decode(), r.ticket) == want, name
