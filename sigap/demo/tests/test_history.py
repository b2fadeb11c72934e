"""The demo history: what the generator writes in bulk is what the services would have done.

The main test generates a small city, keeps what was written, deletes it, then replays every
recorded step through sigap.reports.services in time order (create, verify with its
auto-assignment, assign, start, resolve, close, reopen, duplicate, reassign, notes, comments,
ratings, supports, and each SLA step as the poller records it) and compares field by field.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone

import pytest

from conftest import jpeg_bytes
from sigap.accounts.models import User
from sigap.agencies.models import Agency, Category, Team
from sigap.demo import history
from sigap.reports import services, sla
from sigap.reports.models import Follower, Report, ReportEvent, Support, TicketSequence
from sigap.reports.workflow import Role

NOW = datetime(2026, 5, 20, 3, 0, tzinfo=timezone.utc)
FIELDS = ["status", "agency_id", "team_id", "officer_id", "category_id", "kelurahan_id",
          "kecamatan_id", "response_due_at", "due_at", "escalation_level",
          "response_escalation_level", "first_response_at", "verified_at", "assigned_at",
          "started_at", "resolved_at", "closed_at",
          "support_count", "comment_count", "rating", "status_note", "reject_reason",
          "updated_at", "created_at", "priority", "h3_cell", "h3_r8", "h3_r6", "source",
          "reporter_id", "is_anonymous", "contact_name", "lat", "lng", "answers", "description",
          "is_public"]
EVENT_FIELDS = ["kind", "action", "old", "new", "actor_id", "actor_role", "agency_id", "note",
                "is_public", "data", "at"]


def snapshot():
    """Return {ticket: (fields, events, supports, followers)} of every report."""
    tickets = dict(Report.objects.values_list("pk", "ticket"))
    out = {}
    for report in Report.objects.order_by("pk"):
        fields = {name: getattr(report, name) for name in FIELDS}
        fields["duplicate_of"] = tickets.get(report.duplicate_of_id)
        out[report.ticket] = [fields, [], set(), set()]
    for event in ReportEvent.objects.order_by("pk"):
        out[tickets[event.report_id]][1].append(
            tuple(getattr(event, name) for name in EVENT_FIELDS))
    for s in Support.objects.all():
        out[tickets[s.report_id]][2].add((s.supporter_key, s.user_id, s.created_at))
    for f in Follower.objects.all():
        out[tickets[f.report_id]][3].add(f.user_id)
    return out


def forget_reports():
    Support.objects.all().delete()
    Follower.objects.all().delete()
    ReportEvent.objects.all().delete()
    Report.objects.all().delete()
    TicketSequence.objects.all().delete()


def replay(city, written):
    """Run every recorded step through the services, in time order."""
    steps = []
    for ticket, (_fields, events, supports, _followers) in written.items():
        for n, event in enumerate(events):
            steps.append((event[-1], ticket, n, "event", event))
        for key, user_id, at in supports:
            steps.append((at, ticket, 10_000, "support", (key, user_id)))
    steps.sort(key=lambda s: (s[0], s[1], s[2]))
    users = {u.pk: u for u in User.objects.all()}
    pk_of: dict[str, int] = {}
    photo = jpeg_bytes()
    skip_auto: set[tuple[str, datetime]] = set()
    pending_escalation: dict = defaultdict(list)

    def flush_escalations():
        for (ticket, at, name), group in sorted(pending_escalation.items(),
                                                key=lambda x: x[0][1]):
            deadline = sla.BY_NAME[name]
            report = Report.objects.select_related("agency", "category").get(pk=pk_of[ticket])
            cal = services.calendar_for(report.agency, city, at)
            hours = getattr(report.category, deadline.hours_field.split("__", 1)[1])
            target = sla.thresholds(getattr(report, deadline.due_field), hours,
                                    cal).level_at(at)
            levels = [(int(e[3]), e[0]) for e in group]
            assert target == levels[-1][0], (ticket, at)  # what the poller would reach then
            assert services.record_escalation(pk_of[ticket], from_level=int(group[0][2]),
                                              steps=levels, now=at, deadline=deadline)
        pending_escalation.clear()

    for at, ticket, _n, what, item in steps:
        if what == "support":
            flush_escalations()
            key, user_id = item
            assert services.support(pk_of[ticket], supporter_key=key, user=users[user_id],
                                    now=at)
            continue
        kind, action, old, new, actor_id, role, agency_id, note, public, data, _at = item
        if kind in ("reminder", "escalation"):
            pending_escalation[(ticket, at, data["deadline"])].append(item)
            continue
        flush_escalations()
        actor = users.get(actor_id)
        fields = written[ticket][0]
        pk = pk_of.get(ticket)
        if kind == "created":
            category = Category.objects.get(pk=fields["category_id"])
            data_in = services.NewReport(
                category=category, lat=fields["lat"], lng=fields["lng"],
                description=fields["description"], answers=fields["answers"],
                reporter=actor, is_anonymous=fields["is_anonymous"],
                contact=services.Contact(name=fields["contact_name"]),
                source=fields["source"],
                external_app=history.EXTERNAL_APP.get(fields["source"], ""))
            created = services.create_report(city, data_in, now=at).report
            assert created.ticket == ticket
            pk_of[ticket] = created.pk
        elif kind == "merged":
            continue  # written by mark_duplicate itself
        elif action == "verify":
            services.verify(pk, actor=actor, now=at)
            skip_auto.add((ticket, at))
        elif action == "assign":
            if role == Role.SYSTEM and (ticket, at) in skip_auto:
                continue  # services.verify assigned it
            officer = users.get(data["officer"])
            team = Team.objects.get(pk=data["team"]) if data["team"] else None
            services.assign(pk, actor=actor, now=at, officer=officer, team=team)
        elif action == "reject":
            services.reject(pk, actor=actor, now=at, reason=data["reason"])
        elif action == "start":
            services.start(pk, actor=actor, now=at)
        elif action == "resolve":
            services.resolve(pk, actor=actor, now=at, note=note, photos=[photo])
        elif action == "handback":
            services.handback(pk, actor=actor, now=at, reason=note)
        elif action == "close":
            role_arg = Role.REPORTER if role == Role.REPORTER else None
            services.close(pk, actor=actor, now=at, note=note, role=role_arg)
        elif action == "reopen":
            services.reopen(pk, actor=actor, now=at, reason=note, role=Role.REPORTER)
        elif action == "mark-duplicate":
            kept = Report.objects.get(ticket=data["of"])
            services.mark_duplicate(pk, actor=actor, now=at, of=kept)
        elif action == "reassign":
            agency = Agency.objects.get(city=city, code=data["to"])
            services.reassign(pk, actor=actor, now=at, agency=agency, reason=note)
        elif kind == "public_note":
            services.add_note(pk, actor=actor, now=at, text=note, public=True)
        elif kind == "comment":
            services.add_comment(pk, actor=actor, now=at, text=note)
        elif kind == "rating":
            services.rate(pk, actor=actor, now=at, stars=int(new), role=Role.REPORTER)
        else:
            raise AssertionError(f"no service for {kind} {action}")
    flush_escalations()


def generate(kupang, n=120, seed=5, citizens=40, now=NOW):
    return history.generate(kupang, reports=n, citizens=citizens, year=2026, seed=seed,
                            now=now)


@pytest.mark.django_db
def test_it_writes_what_the_services_would_have_written(kupang):
    # A busy month, so that repeats, duplicates and the whole SLA ladder all happen.
    result = generate(kupang, n=150, now=datetime(2026, 2, 1, 1, 0, tzinfo=timezone.utc))
    assert result.reports == Report.objects.count() == 150
    written = snapshot()
    kinds = Counter(e[0] for _f, events, _s, _fo in written.values() for e in events)
    # The sample exercises the lifecycle's branches.
    for kind in ("created", "status", "assigned", "duplicate", "merged", "rating",
                 "public_note", "reminder", "escalation"):
        assert kinds[kind] > 0, kind
    ladders = Counter(e[9]["deadline"] for _f, events, _s, _fo in written.values()
                      for e in events if e[0] in ("reminder", "escalation"))
    assert ladders["response"] > 0 and ladders["resolve"] > 0, ladders
    assert Report.objects.filter(status="rejected").exists()
    forget_reports()
    replay(kupang, written)
    again = snapshot()
    assert set(again) == set(written)
    for ticket, (fields, events, supports, followers) in written.items():
        got_fields, got_events, got_supports, got_followers = again[ticket]
        assert got_fields == fields, ticket
        assert got_events == events, ticket
        assert got_supports == supports, ticket
        assert got_followers == followers, ticket


@pytest.mark.django_db
def test_it_is_the_same_history_for_the_same_seed(kupang):
    generate(kupang, n=80, seed=9)
    first = snapshot()
    forget_reports()
    User.objects.filter(username__startswith="warga-").delete()
    generate(kupang, n=80, seed=9)
    second = snapshot()
    # Citizens are new rows the second time: compare everything else.
    def strip(snap):
        return {t: {k: v for k, v in f.items() if k != "reporter_id"}
                for t, (f, *_rest) in snap.items()}

    assert strip(first) == strip(second)
    assert [len(e) for _f, e, _s, _fo in first.values()] == \
        [len(e) for _f, e, _s, _fo in second.values()]
    forget_reports()
    generate(kupang, n=80, seed=10)
    assert strip(snapshot()) != strip(first)


@pytest.mark.django_db
def test_it_makes_the_citizens_and_a_city_of_officers(kupang):
    from sigap.accounts.models import Role as AccountRole

    result = generate(kupang, n=30, citizens=25)
    assert result.citizens == 25
    assert User.objects.filter(role=AccountRole.CITIZEN).count() == 25
    officers = User.objects.filter(role=AccountRole.OFFICER)
    assert 190 <= officers.count() <= 210
    assert officers.values("agency").distinct().count() == 7
    # Every field agency has a team per kecamatan, and every officer is in a team.
    for agency in Agency.objects.filter(city=kupang, is_field_agency=True):
        covered = set(Team.objects.filter(agency=agency).values_list("kecamatan", flat=True))
        assert len(covered - {None}) == 6
    assert not officers.filter(teams=None).exists()
    # Nothing lies beyond now, and tickets continue from the generated ones.
    assert not ReportEvent.objects.filter(at__gt=NOW).exists()
    last = TicketSequence.objects.get(city=kupang, year=2026).last
    assert last == 30


@pytest.mark.django_db
def test_a_new_report_after_the_history_takes_the_next_ticket(kupang, make_report):
    generate(kupang, n=20, citizens=5)
    report = make_report(at=NOW + timedelta(hours=1))
    assert report.ticket == "KPG-2026-000021"


def by_username(snap: dict) -> dict:
    """Return the snapshot with user ids replaced by usernames (a second run's citizens are
    the same people under new ids)."""
    names = dict(User.objects.values_list("pk", "username"))
    out = {}
    for ticket, (fields, events, supports, followers) in snap.items():
        fields = {**fields, "reporter_id": names.get(fields["reporter_id"])}
        events = [(*e[:4], names.get(e[4]), *e[5:]) for e in events]
        supports = {(names.get(user), names.get(user), at) for _key, user, at in supports}
        out[ticket] = (fields, events, supports, {names.get(u) for u in followers})
    return out


@pytest.mark.django_db(transaction=True)
def test_a_second_process_writes_the_same_history(kupang, monkeypatch):
    forked = []
    real_init = history.ForkedWriter.__init__

    def spy(self):
        real_init(self)
        forked.append(self.process.pid)

    monkeypatch.setattr(history.ForkedWriter, "__init__", spy)
    assert history.can_fork_writer()  # a database file or server, no open transaction
    history.generate(kupang, reports=150, citizens=40, year=2026, seed=6, now=NOW,
                     fork_writer=True)
    assert len(forked) == 1 and forked[0] != os.getpid()
    from_child = by_username(snapshot())
    forget_reports()
    User.objects.filter(username__startswith="warga-").delete()
    history.generate(kupang, reports=150, citizens=40, year=2026, seed=6, now=NOW,
                     fork_writer=False)
    inline = by_username(snapshot())
    assert len(inline) == 150 and sum(len(v[1]) for v in inline.values()) > 300
    assert from_child == inline
