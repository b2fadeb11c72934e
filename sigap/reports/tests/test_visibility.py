"""Who may see and act on which report (sigap.reports.visibility), as a table.

Every role against every kind of report, for each circle: the queryset and the predicate
must both give the table's answer, so they agree on every cell.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from sigap.agencies.models import Team
from sigap.reports import visibility
from sigap.reports.models import Report
from sigap.reports.workflow import Status

ROLES = ["anonymous", "citizen", "officer", "dispatcher", "head", "admin", "executive"]
REPORTS = ["own_agency", "other_agency", "other_agency_private", "own_task", "team_task",
           "others_task", "rejected", "duplicate", "private_own"]

# "Own" is from the agency staff's side (agency A: DLHK); the citizen reported private_own.
# Reports of agency A that are public and open are seen by anyone.
OPEN_A = {"own_agency", "own_task", "team_task", "others_task"}
ALL_A = OPEN_A | {"rejected", "duplicate", "private_own"}
EVERY = set(REPORTS)

SEE = {
    "anonymous": OPEN_A | {"other_agency"},
    "citizen": OPEN_A | {"other_agency", "private_own"},
    "officer": ALL_A | {"other_agency"},
    "dispatcher": ALL_A | {"other_agency"},
    "head": ALL_A | {"other_agency"},
    "admin": EVERY,
    "executive": EVERY,
}
OFFICE = {
    "anonymous": set(),
    "citizen": set(),
    "officer": ALL_A,
    "dispatcher": ALL_A,
    "head": ALL_A,
    "admin": EVERY,
    "executive": EVERY,
}
ACT = {
    "anonymous": set(),
    "citizen": set(),
    "officer": {"own_task", "team_task"},  # assigned to them, or to their team
    "dispatcher": ALL_A,
    "head": ALL_A,
    "admin": EVERY,
    "executive": set(),  # reads, never acts
}

CIRCLES = {
    "see": (visibility.visible_reports, visibility.can_see, SEE),
    "office": (visibility.office_reports, visibility.sees_in_office, OFFICE),
    "act": (visibility.actionable_reports, visibility.can_act, ACT),
}


@pytest.fixture
def world(make_user, make_report):
    """The users by role and the reports by kind (see REPORTS)."""
    citizen = make_user("citizen")
    dlhk_report = make_report("SAMPAH")
    agency_a = dlhk_report.agency
    team_1 = Team.objects.create(agency=agency_a, code="t1", name="T1")
    team_2 = Team.objects.create(agency=agency_a, code="t2", name="T2")
    officer = make_user("officer", agency=agency_a, team=False)
    team_1.members.add(officer)
    other_officer = make_user("officer", agency=agency_a, team=False)
    team_2.members.add(other_officer)
    users = {
        "anonymous": AnonymousUser(),
        "citizen": citizen,
        "officer": officer,
        "dispatcher": make_user("dispatcher", agency=agency_a),
        "head": make_user("head", agency=agency_a),
        "admin": make_user("admin"),
        "executive": make_user("executive"),
    }

    def report(code="SAMPAH", **fields):
        made = make_report(code)
        Report.objects.filter(pk=made.pk).update(**fields)
        return made.pk

    ids = {
        "own_agency": dlhk_report.pk,
        "other_agency": report("LALIN_RUSAK"),
        "other_agency_private": report("LALIN_RUSAK", is_public=False),
        "own_task": report(status=Status.ASSIGNED, team=team_2, officer=officer),
        "team_task": report(status=Status.ASSIGNED, team=team_1, officer=other_officer),
        "others_task": report(status=Status.IN_PROGRESS, team=team_2, officer=other_officer),
        "rejected": report(status=Status.REJECTED),
        "duplicate": report(status=Status.DUPLICATE, duplicate_of_id=dlhk_report.pk),
        "private_own": report(is_public=False, reporter=citizen),
    }
    Report.objects.filter(pk=dlhk_report.pk).update(team=None, officer=None)
    assert Report.objects.get(pk=ids["other_agency"]).agency_id != agency_a.pk
    return users, ids


@pytest.mark.django_db
@pytest.mark.parametrize("circle", CIRCLES)
def test_it_gives_each_role_the_table_s_reports_by_queryset_and_predicate(world, circle):
    users, ids = world
    queryset, predicate, table = CIRCLES[circle]
    names = {pk: name for name, pk in ids.items()}
    reports = Report.objects.filter(pk__in=ids.values())
    for role in ROLES:
        user = users[role]
        listed = {names[pk] for pk in queryset(user).filter(pk__in=ids.values())
                  .values_list("pk", flat=True)}
        judged = {names[r.pk] for r in reports if predicate(user, r)}
        assert listed == table[role], (circle, role, "queryset")
        assert judged == table[role], (circle, role, "predicate")


@pytest.mark.django_db
def test_it_shows_an_inactive_account_only_what_the_public_sees(world):
    users, ids = world
    admin = users["admin"]
    admin.is_active = False
    names = {pk: name for name, pk in ids.items()}
    listed = {names[pk] for pk in visibility.visible_reports(admin).filter(
        pk__in=ids.values()).values_list("pk", flat=True)}
    assert listed == SEE["anonymous"]
    assert not visibility.actionable_reports(admin).exists()
    assert not visibility.can_act(admin, Report.objects.get(pk=ids["own_agency"]))


@pytest.mark.django_db
def test_it_costs_an_officer_no_query_for_their_own_task(world, django_assert_num_queries):
    users, ids = world
    officer = users["officer"]
    own = Report.objects.get(pk=ids["own_task"])
    team = Report.objects.get(pk=ids["team_task"])
    with django_assert_num_queries(0):
        assert visibility.can_act(officer, own)
    with django_assert_num_queries(1):  # the officer's teams, read once
        assert visibility.can_act(officer, team)
    team_ids = visibility.team_ids_of(officer)
    with django_assert_num_queries(0):
        assert visibility.can_act(officer, team, team_ids=team_ids)


def test_it_refuses_to_judge_a_lookup_it_does_not_understand():
    report = Report(agency_id=3, status=Status.SUBMITTED, is_public=True)
    assert visibility.matches(Q(agency_id=3) & ~Q(status__in=[Status.REJECTED]), report)
    assert visibility.matches(Q(agency_id=4) | Q(pk__isnull=True), report)
    assert not visibility.matches(Q(pk__in=[]), report)
    with pytest.raises(ValueError):
        visibility.matches(Q(agency_id__gt=1), report)
