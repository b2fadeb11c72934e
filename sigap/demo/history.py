"""A year of the demo city's reports, computed with the product's own rules, written in bulk.

Each report arrives from the demand model (sigap.demo.demand) and lives its life as the
services would make it: routed by `agencies.routing.route`, located by `cities.locate`, its
deadlines from `reports.services.due_times` (the agency's calendar, Indonesian holidays),
every step checked by `reports.workflow.next_status`, auto-assignment by
`routing.pick_team`/`pick_officer` over the officers' open tasks at that moment, the SLA ladder
by `reports.sla.thresholds` as the minute poller would record it. The whole city is simulated
in time order (a heap of next steps), so loads and duplicates see exactly the reports open at
that instant; a report's rows are written (bulk_create, in batches) once its life is over, or
when the simulation reaches `now`. No Outbox rows: history sends no notifications.

`test_history.py` replays a generated city through the services and compares.
"""

from __future__ import annotations

import heapq
import math
import multiprocessing
import os
import queue as queue_module
import random
from collections import Counter, defaultdict, deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import Count, Q
from django.db.models.base import ModelState
from django.utils import translation

from sigap.accounts.models import Role as AccountRole, User
from sigap.agencies import routing
from sigap.agencies.models import Agency, Category, Team
from sigap.cities.locate import OutsideCity, locate
from sigap.cities.models import Area
from sigap.demo import demand
from sigap.demo.staff import add_to_group, demo_settings, ensure_staff
from sigap.lib import workingtime
from sigap.reports import freshness, sla, workflow
from sigap.reports import services
from sigap.reports.services.create import ticket_text
from sigap.reports.models import Follower, Report, ReportEvent, Support, TicketSequence
from sigap.reports.workflow import Action, Role, Status

BATCH = 2000
# A share of reports repeat a problem already reported nearby in the last days: placed a few
# metres from it; the dispatcher mostly spots them and marks them duplicates.
REPEAT_SHARE = 0.06
REPEAT_WINDOW = timedelta(days=3)
REPEAT_JITTER = 0.0001
KIND_FOR_ACTION = {
    Action.ASSIGN: ReportEvent.Kind.ASSIGNED,
    Action.REASSIGN: ReportEvent.Kind.REASSIGNED,
    Action.MARK_DUPLICATE: ReportEvent.Kind.DUPLICATE,
}
STAMPS = {
    Status.VERIFIED: "verified_at", Status.ASSIGNED: "assigned_at",
    Status.IN_PROGRESS: "started_at", Status.RESOLVED: "resolved_at",
    Status.CLOSED: "closed_at", Status.REJECTED: "closed_at", Status.DUPLICATE: "closed_at",
}
# Channels a report comes in by, and how often (judgement for the demo).
SOURCES = ((Report.Source.WEB, 0.62), (Report.Source.API, 0.16), (Report.Source.OPEN311, 0.08),
           (Report.Source.PHONE, 0.10), (Report.Source.STAFF, 0.04))
EXTERNAL_APP = {Report.Source.API: "Sigap Android", Report.Source.OPEN311: "Kupang Open311 demo"}

DESCRIPTIONS = {
    "SAMPAH": ["Tumpukan sampah di pinggir jalan belum diangkut", "Sampah menumpuk dekat pasar",
               "Bak sampah penuh dan berbau", "Sampah dibuang di saluran air"],
    "LALIN_RUSAK": ["Lampu lalu lintas di persimpangan mati", "Rambu jalan roboh",
                    "Lampu merah berkedip terus"],
    "MACET": ["Macet panjang di jam pulang kantor", "Kemacetan karena angkot ngetem"],
    "LANGGAR_LALIN": ["Kendaraan melawan arus setiap pagi", "Truk melintas di jam terlarang"],
    "PARKIR_LIAR": ["Mobil parkir di trotoar", "Parkir liar menutup jalan masuk gang"],
    "TUNAWISMA": ["Ada pengemis anak di lampu merah", "Orang tidur di emperan toko tiap malam"],
    "FAS_ANAK": ["Ayunan taman bermain rusak", "Perosotan di taman patah"],
    "ORANG_HILANG": ["Anggota keluarga belum pulang sejak kemarin"],
    "PKL_LIAR": ["Pedagang berjualan di badan jalan", "Lapak PKL menutup trotoar"],
    "BANGUNAN": ["Bangunan baru tanpa papan izin", "Pagar dibangun di atas saluran"],
    "IKLAN_LIAR": ["Spanduk liar di tiang listrik", "Baliho dipasang di pohon"],
    "FOGGING_DBD": ["Ada tetangga kena DBD, mohon fogging", "Banyak nyamuk, dua anak demam"],
    "KESEHATAN": ["Air sumur keruh dan berbau", "Bangkai hewan di pinggir jalan"],
    "KEBAKARAN": ["Kebakaran lahan kosong dekat rumah warga", "Asap tebal dari rumah"],
    "JALAN_RUSAK": ["Jalan berlubang besar dan berbahaya", "Aspal amblas setelah hujan"],
    "BANJIR_DRAINASE": ["Saluran tersumbat, air meluap ke jalan", "Genangan setinggi lutut"],
    "POHON_TUMBANG": ["Pohon tumbang menutup jalan", "Dahan besar hampir patah di atas jalan"],
    "PJU_MATI": ["Lampu jalan mati sepanjang gang", "Tiga lampu PJU padam"],
    "LAINNYA": ["Mohon perhatian pemerintah kota", "Ada masalah di lingkungan kami"],
}
FIRST_NAMES = ["Yohanes", "Maria", "Agustinus", "Yuliana", "Fransiskus", "Theresia", "Petrus",
               "Elisabeth", "Yosef", "Margaretha", "Daniel", "Ester", "Markus", "Ruth",
               "Stefanus", "Agnes", "Paulus", "Dewi", "Andreas", "Siti", "Benediktus", "Anita"]
LAST_NAMES = ["Ndun", "Tefa", "Benu", "Manafe", "Lay", "Bessie", "Kana", "Riwu", "Foenale",
              "Pello", "Amalo", "Lakapu", "Ratu", "Messakh", "Nalle", "Toelle", "Bire", "Sabu"]
NOTES = ["Petugas sudah meninjau lokasi.", "Sedang dikerjakan, mohon bersabar.",
         "Material sedang disiapkan.", "Tim dijadwalkan datang besok pagi."]
RESOLVE_NOTES = ["Sudah ditangani petugas.", "Sudah dibersihkan.", "Sudah diperbaiki.",
                 "Penanganan selesai di lokasi."]
REOPEN_REASONS = ["Masih belum beres.", "Masalahnya muncul lagi.", "Baru setengah dikerjakan."]
COMMENTS = ["Mohon segera ditangani.", "Terima kasih atas tanggapannya.",
            "Di sini juga sama.", "Sudah seminggu begini."]


@dataclass
class Options:
    reports: int
    citizens: int
    start: datetime
    end: datetime  # exclusive: the simulation stops here (today for the current year)
    seed: int = 1


@dataclass
class Life:
    """One report in the simulation: its row, its event rows (as tuples) and its plan."""

    report: Report
    category: Category
    events: list = field(default_factory=list)
    followers: dict = field(default_factory=dict)  # user id -> following since
    level_due: datetime | None = None
    ladder: dict = field(default_factory=dict)  # deadline -> ((due, agency), sla.Thresholds)
    reopens: int = 0
    done: bool = False
    speed: float = 1.0
    order: int = 0  # place in the order of arrival
    kept: "Life | None" = None  # the report this one was marked a duplicate of
    supporters: list = field(default_factory=list)  # (user id, when)
    repeat_of: "Life | None" = None  # an open report of the same problem, seen on arrival
    watchers: int = 0  # later reports that may still be marked duplicates of this one
    referenced: bool = False  # a duplicate points to it (the writer keeps its id)


@dataclass
class Result:
    reports: int = 0
    events: int = 0
    supports: int = 0
    citizens: int = 0
    by_status: dict = field(default_factory=lambda: defaultdict(int))


def lognormal_hours(rng: random.Random, median: float, sigma: float) -> float:
    return max(median * math.exp(rng.gauss(0.0, sigma)), 1 / 30)  # at least two minutes


def ceil_minute(t: datetime) -> datetime:
    floor = t.replace(second=0, microsecond=0)
    return floor if floor == t else floor + timedelta(minutes=1)


class City:
    """What the simulation needs of the city, read once: agencies, teams, officers, actors."""

    def __init__(self, city, now: datetime):
        self.city = city
        self.now = now
        self.agencies = {a.pk: a for a in Agency.objects.filter(city=city)}
        self.field = sorted((a for a in self.agencies.values() if a.is_field_agency),
                            key=lambda a: a.code)
        self.categories = {c.code: c for c in Category.objects.filter(city=city, is_active=True)
                           .select_related("agency")}
        self.areas = dict(Area.objects.filter(city=city).values_list("code", "pk"))
        conf = demo_settings(city).get("agencies", {})
        self.speed = {a.pk: float(conf.get(a.code, {}).get("speed", 1.0))
                      for a in self.agencies.values()}
        self.calendars = {pk: services.calendar_for(a, city, now)
                          for pk, a in self.agencies.items()}
        users = User.objects.filter(agency__city=city, is_active=True)
        self.dispatcher = {u.agency_id: u.pk for u in users.filter(role=AccountRole.DISPATCHER)
                           .order_by("pk")}
        admin = User.objects.filter(Q(role=AccountRole.ADMIN) | Q(is_superuser=True),
                                    is_active=True).order_by("pk").first()
        self.admin = admin.pk if admin else None
        self.team_options: dict[int, list[routing.TeamOption]] = defaultdict(list)
        self.members: dict[int, list[tuple[int, bool]]] = defaultdict(list)
        for team in Team.objects.filter(agency__city=city).prefetch_related("kecamatan"):
            self.team_options[team.agency_id].append(
                routing.TeamOption(team.pk, frozenset(a.pk for a in team.kecamatan.all())))
        for team_id, user_id, on_duty in (
                Team.members.through.objects.filter(
                    team__agency__city=city, user__role=AccountRole.OFFICER,
                    user__is_active=True)
                .values_list("team_id", "user_id", "user__on_duty")):
            self.members[team_id].append((user_id, on_duty))
        # Open tasks per officer as the database has them now (services.auto_assign counts so).
        self.load = defaultdict(int, dict(
            User.objects.filter(role=AccountRole.OFFICER, agency__city=city)
            .annotate(n=Count("tasks", filter=Q(tasks__status__in=workflow.IN_FIELD)))
            .values_list("pk", "n")))

    def pick(self, agency_id: int, kecamatan_id: int | None) -> tuple[int | None, int | None]:
        """Return (team, officer) as services.auto_assign would pick them now."""
        team_id = routing.pick_team(self.team_options.get(agency_id, []), kecamatan_id)
        if team_id is None:
            return None, None
        officer = routing.pick_officer(routing.OfficerLoad(pk, self.load[pk], on_duty)
                                       for pk, on_duty in self.members.get(team_id, []))
        return team_id, officer


class Simulation:
    def __init__(self, city, options: Options, *, now: datetime, fork_writer: bool = False):
        self.opts = options
        self.fork_writer = fork_writer
        self.writer = None
        self.rng = random.Random(options.seed)
        self.now = min(now, options.end)
        self.c = City(city, now)
        self.model = demand.model_for_city(city)
        self.heap: list = []
        self.seq = 0
        # Per category, the reports of the last REPEAT_WINDOW in order of arrival.
        self.open_by_category: dict[int, deque[Life]] = defaultdict(deque)
        self.citizens: list[int] = []
        self.citizen_weights: list[float] = []
        self.pending: list[Life] = []
        self.result = Result()
        self.kel_factor: dict[int, float] = {}

    # --- scheduling -------------------------------------------------------------------------

    def later(self, at: datetime, life: Life, step: str, **kw) -> None:
        if at >= self.now:
            return  # beyond today: the report stays as it is now
        self.seq += 1
        heapq.heappush(self.heap, (at, self.seq, life, step, kw))

    def after(self, life: Life, start: datetime, hours: float) -> datetime:
        """Return `start` plus `hours` of the handling agency's service time."""
        cal = self.c.calendars[life.report.agency_id]
        return workingtime.add_service_hours(start, hours, cal)

    # --- the state machine, as services.transition applies it --------------------------------

    def step(self, life: Life, action: str, at: datetime, actor: int | None, role: str, *,
             note: str = "", is_public: bool = True, data: dict | None = None,
             apply=None) -> None:
        r = life.report
        new = workflow.next_status(r.status, action, role)
        self.escalate_until(life, at)
        old, old_officer = r.status, r.officer_id
        if apply is not None:
            apply(r)
        r.status = new
        r.updated_at = at
        if new != Status.SUBMITTED and r.first_response_at is None:
            r.first_response_at = at
        name = STAMPS.get(new)
        if old in workflow.IN_FIELD and new == Status.VERIFIED:
            name = None  # a handback keeps the time of the verification
        if name:
            setattr(r, name, at)
        if new == Status.ASSIGNED and r.verified_at is None:
            r.verified_at = at
        if old in workflow.IN_FIELD and old_officer:
            self.c.load[old_officer] -= 1
        if new in workflow.IN_FIELD and r.officer_id:
            self.c.load[r.officer_id] += 1
        life.events.append((KIND_FOR_ACTION.get(action, ReportEvent.Kind.STATUS), action, old,
                            new, actor, role, r.agency_id, note, is_public, data or {}, at))

    def event(self, life: Life, kind: str, at: datetime, actor: int | None, role: str, *,
              note: str = "", new: str = "", old: str = "", is_public: bool = True,
              data: dict | None = None, agency: int | None = None) -> None:
        life.events.append((kind, "", old, new, actor, role, agency, note, is_public,
                            data or {}, at))

    # --- the SLA ladder, as the minute poller (sla.run_escalations) records it ----------------

    def escalate_until(self, life: Life, until: datetime) -> None:
        """Record the ladder steps due from the last change up to `until` (a new change),
        on both deadlines."""
        r = life.report
        if life.level_due is None:
            life.level_due = until
            return
        since, life.level_due = life.level_due, until
        if r.status not in workflow.OPEN:
            return
        for deadline in sla.DEADLINES:
            self._ladder(life, deadline, since, until)

    def _ladder(self, life: Life, deadline: sla.Deadline, since: datetime,
                until: datetime) -> None:
        r = life.report
        due, level = getattr(r, deadline.due_field), getattr(r, deadline.level_field)
        if due is None or level >= sla.MAX_LEVEL:
            return
        if deadline is sla.RESPONSE and r.first_response_at is not None:
            return
        key = (due, r.agency_id)
        cached = life.ladder.get(deadline.name)
        if cached is None or cached[0] != key:
            hours = getattr(life.category, deadline.hours_field.split("__", 1)[1])
            cached = life.ladder[deadline.name] = (
                key, sla.thresholds(due, hours, self.c.calendars[r.agency_id]))
        thresholds = cached[1]
        for step, when in ((sla.REMINDER, thresholds.reminder_at),
                           (sla.HEAD, thresholds.head_at), (sla.ADMIN, thresholds.admin_at)):
            if step <= level:
                continue
            fire = ceil_minute(max(when, since + timedelta(microseconds=1)))
            if fire >= until or fire >= self.now:
                break
            target = thresholds.level_at(fire)
            for lvl, kind in sla.steps_between(level, target):
                self.event(life, kind, fire, None, Role.SYSTEM, old=str(lvl - 1), new=str(lvl),
                           is_public=False, agency=r.agency_id,
                           data={"level": lvl, "deadline": deadline.name,
                                 "due_at": due.isoformat()})
            level = target
            setattr(r, deadline.level_field, target)

    # --- a report's life ---------------------------------------------------------------------

    def arrive(self, arrival: demand.Arrival, number: int, year: int) -> None:
        rng, c = self.rng, self.c
        category = c.categories[arrival.category]
        agency = routing.route(category)
        at = arrival.at
        lat, lng = arrival.lat, arrival.lng
        repeat = None
        if rng.random() < REPEAT_SHARE:
            # The same problem as a recent open report of this category, a few metres away
            # (any report of the category is as likely a place as the model's draw).
            repeat = self.recent_open(category.pk, at)
            if repeat is not None:
                lat = round(repeat.report.lat + rng.uniform(-REPEAT_JITTER, REPEAT_JITTER), 6)
                lng = round(repeat.report.lng + rng.uniform(-REPEAT_JITTER, REPEAT_JITTER), 6)
                repeat.watchers += 1
        try:
            located = locate(c.city, lat, lng)
            kelurahan_id, kecamatan_id = located.kelurahan_id, located.kecamatan_id
        except OutsideCity:
            kelurahan_id, kecamatan_id = c.areas[arrival.kelurahan], c.areas[arrival.kecamatan]
        source = rng.choices([s for s, _ in SOURCES], [w for _, w in SOURCES])[0]
        reporter = None
        anonymous = False
        contact_name = ""
        if source == Report.Source.PHONE:
            contact_name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        elif self.citizens and rng.random() < 0.85:
            reporter = rng.choices(self.citizens, cum_weights=self.citizen_weights)[0]
        else:
            anonymous = rng.random() < 0.7
        response_due, due = services.due_times(category, agency, c.city, at)
        report = fresh(
            Report, city_id=c.city.pk, ticket=ticket_text(c.city.ticket_prefix, year,
                                                                   number),
            category_id=category.pk, description=rng.choice(
                DESCRIPTIONS.get(category.code, DESCRIPTIONS["LAINNYA"])),
            answers=self.answers(category), lat=lat, lng=lng,
            kelurahan_id=kelurahan_id, kecamatan_id=kecamatan_id, status=Status.SUBMITTED,
            priority=1 if category.is_emergency else category.priority, reporter_id=reporter,
            is_anonymous=anonymous, contact_name=contact_name, source=source,
            external_app=EXTERNAL_APP.get(source, ""), agency_id=agency.pk,
            response_due_at=response_due, due_at=due, created_at=at, updated_at=at,
            is_public=True, tracking_key=f"{rng.getrandbits(96):024x}")
        report.place_cells()
        self.order += 1
        life = Life(report=report, category=category, repeat_of=repeat, order=self.order)
        life.speed = c.speed.get(agency.pk, 1.0) * self.kel_factor.setdefault(
            kelurahan_id, math.exp(rng.gauss(0, 0.25)))
        life.level_due = at
        self.event(life, ReportEvent.Kind.CREATED, at, reporter, Role.REPORTER,
                   new=Status.SUBMITTED, agency=agency.pk, data={"source": source})
        if reporter:
            life.followers[reporter] = at
        self.result.reports += 1
        self.later(self.after(life, at, self.response_hours(life)), life, "desk")
        if reporter and rng.random() < 0.08:
            self.later(at + timedelta(hours=rng.uniform(1, 48)), life, "comment", own=True)
        self.open_by_category[category.pk].append(life)
        self.pending.append(life)

    def answers(self, category: Category) -> dict:
        out = {}
        for attr in category.demo_attributes:
            if attr.values:
                out[attr.code] = self.rng.choice(attr.values)[0]
            elif attr.datatype == "number":
                out[attr.code] = float(self.rng.randint(1, 4))
            elif attr.required:
                out[attr.code] = f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"
        return out

    def response_hours(self, life: Life) -> float:
        # Mostly well within the first-response SLA; a long tail past it.
        return lognormal_hours(self.rng, life.category.response_sla_hours * 0.3 * life.speed,
                               0.9)

    def desk(self, life: Life, at: datetime) -> None:
        """The dispatcher's (or the triage desk's) first decision."""
        rng, r, c = self.rng, life.report, self.c
        dispatcher = c.dispatcher.get(r.agency_id)
        agency = c.agencies[r.agency_id]
        earlier, life.repeat_of = life.repeat_of, None
        if earlier is not None:
            earlier.watchers -= 1
        if not agency.is_field_agency:  # the triage desk: reject, or send to a field agency
            actor = c.admin
            if rng.random() < 0.45 or not c.field:
                self.reject(life, at, actor, Role.ADMIN, "not_city_matter")
            else:
                self.reassign(life, at, actor, Role.ADMIN, rng.choice(c.field))
            return
        if earlier is not None and earlier.report.status not in workflow.FINAL \
                and rng.random() < 0.85:  # the dispatcher spots the earlier report
            self.duplicate(life, at, dispatcher, earlier)
            return
        roll = rng.random()
        if roll < 0.05:
            self.reject(life, at, dispatcher, Role.DISPATCHER,
                        rng.choice(["spam", "insufficient_info", "private_property",
                                    "already_handled"]))
        elif roll < 0.08 and len(c.field) > 1:
            self.reassign(life, at, dispatcher, Role.DISPATCHER,
                          rng.choice([a for a in c.field if a.pk != r.agency_id]))
        else:
            self.step(life, Action.VERIFY, at, dispatcher, Role.DISPATCHER)
            if agency.auto_assign:
                self.assign(life, at, None, Role.SYSTEM)
            else:
                self.later(self.after(life, at, lognormal_hours(rng, 1.0, 0.8)), life,
                           "assign")

    def recent_open(self, category_id: int, at: datetime) -> Life | None:
        """The newest report of this category from the last days that is still open."""
        same = self.open_by_category.get(category_id)
        if not same:
            return None
        since = at - REPEAT_WINDOW
        while same and same[0].report.created_at < since:  # arrivals come in time order
            same.popleft()
        # From the newest back: usually the first one is still open. (Filtering the whole
        # window at each call was a seventh of a million-report load.)
        return next((x for x in reversed(same) if x.report.status not in workflow.FINAL), None)

    def reject(self, life: Life, at: datetime, actor, role, reason: str) -> None:
        text = str(services.REJECT_REASONS[reason])

        def apply(r):
            r.reject_reason = text[:300]
            r.status_note = text[:500]

        self.step(life, Action.REJECT, at, actor, role, note=text, apply=apply,
                  data={"reason": reason})
        self.finish(life)

    def reassign(self, life: Life, at: datetime, actor, role, agency: Agency) -> None:
        reason = "Bukan kewenangan kami; dialihkan ke dinas yang tepat."

        def apply(r):
            r.agency_id = agency.pk
            r.team_id = None
            r.officer_id = None
            r.escalation_level = 0
            r.response_escalation_level = 0
            r.response_due_at, _due = services.due_times(life.category, agency, self.c.city, at)

        self.step(life, Action.REASSIGN, at, actor, role, note=reason, apply=apply,
                  data={"to": agency.code})
        life.speed = self.c.speed.get(agency.pk, 1.0)
        self.later(self.after(life, at, self.response_hours(life)), life, "desk")

    def duplicate(self, life: Life, at: datetime, actor, kept: Life) -> None:
        r, k = life.report, kept.report

        life.kept = kept  # its id, once written, goes into duplicate_of
        kept.referenced = True

        def apply(report):
            report.status_note = f"Digabung dengan laporan {k.ticket}"[:500]

        self.step(life, Action.MARK_DUPLICATE, at, actor, Role.DISPATCHER, apply=apply,
                  data={"of": k.ticket})
        if r.reporter_id:  # the duplicate's followers move to the kept report
            since = life.followers.pop(r.reporter_id, at)
            kept.followers.setdefault(r.reporter_id, since)
        k.updated_at = at
        self.event(kept, ReportEvent.Kind.MERGED, at, actor, "", new=r.ticket,
                   agency=k.agency_id, data={"duplicate": r.ticket})
        self.finish(life)

    def assign(self, life: Life, at: datetime, actor, role) -> None:
        r = life.report
        team_id, officer_id = self.c.pick(r.agency_id, r.kecamatan_id)
        if team_id is None:
            return  # nobody to give it to: it waits at the desk, as in the product

        def apply(report):
            report.team_id, report.officer_id = team_id, officer_id

        self.step(life, Action.ASSIGN, at, actor, role, apply=apply,
                  data={"officer": officer_id, "team": team_id})
        if officer_id is None:
            return
        sla_h = life.category.resolve_sla_hours
        start_at = self.after(life, at, lognormal_hours(self.rng, sla_h * 0.08 * life.speed, 1.0))
        self.later(start_at, life, "start")

    def start(self, life: Life, at: datetime) -> None:
        rng, r = self.rng, life.report
        if r.status not in (Status.ASSIGNED, Status.REOPENED):
            return
        self.step(life, Action.START, at, r.officer_id, Role.OFFICER)
        sla_h = life.category.resolve_sla_hours
        work = lognormal_hours(rng, sla_h * 0.3 * life.speed, 0.8)
        done = self.after(life, at, work)
        if rng.random() < 0.03:
            self.later(self.after(life, at, work / 3), life, "handback")
            return
        if rng.random() < 0.35:
            self.later(self.after(life, at, work / 2), life, "note")
        self.later(done, life, "resolve")

    def note(self, life: Life, at: datetime) -> None:
        r = life.report
        if r.status != Status.IN_PROGRESS:
            return
        text = self.rng.choice(NOTES)
        self.escalate_until(life, at)
        self.event(life, ReportEvent.Kind.PUBLIC_NOTE, at, r.officer_id, Role.OFFICER,
                   note=text, agency=r.agency_id)
        r.updated_at = at
        r.status_note = text

    def handback(self, life: Life, at: datetime) -> None:
        r = life.report

        def apply(report):
            report.officer_id = None

        self.step(life, Action.HANDBACK, at, r.officer_id, Role.OFFICER,
                  note="Butuh alat berat; tidak bisa diselesaikan tim ini.", is_public=False,
                  apply=apply)
        self.later(self.after(life, at, lognormal_hours(self.rng, 4.0, 0.8)), life, "assign")

    def resolve(self, life: Life, at: datetime) -> None:
        rng, r = self.rng, life.report
        text = rng.choice(RESOLVE_NOTES)

        def apply(report):
            report.status_note = text[:500]
            report.sla_paused_at = None

        self.step(life, Action.RESOLVE, at, r.officer_id, Role.OFFICER, note=text, apply=apply)
        roll = rng.random()
        if r.reporter_id:
            if roll < 0.6:
                self.later(at + timedelta(hours=lognormal_hours(rng, 20, 1.0)), life, "confirm")
                return
            if roll < 0.7 + (0.1 if r.due_at and at > r.due_at else 0) and life.reopens == 0:
                self.later(at + timedelta(hours=lognormal_hours(rng, 24, 0.8)), life, "reopen")
                return
        if roll < 0.85:
            self.later(at + timedelta(days=rng.uniform(3, 7)), life, "desk_close")
            return
        self.finish(life)  # stays resolved: nobody answered "Sudah beres?"

    def confirm(self, life: Life, at: datetime) -> None:
        rng, r = self.rng, life.report
        self.step(life, Action.CLOSE, at, r.reporter_id, Role.REPORTER,
                  note="Pelapor menyatakan sudah beres.")
        if rng.random() < 0.8:
            late = r.due_at is not None and r.resolved_at > r.due_at
            weights = [3, 5, 12, 30, 50] if not late else [12, 15, 25, 28, 20]
            stars = rng.choices([1, 2, 3, 4, 5], weights)[0]
            self.event(life, ReportEvent.Kind.RATING, at, r.reporter_id, Role.REPORTER,
                       new=str(stars))
            r.rating = stars
            r.updated_at = at
        self.finish(life)

    def desk_close(self, life: Life, at: datetime) -> None:
        r = life.report
        self.step(life, Action.CLOSE, at, self.c.dispatcher.get(r.agency_id), Role.DISPATCHER)
        self.finish(life)

    def reopen(self, life: Life, at: datetime) -> None:
        r = life.report
        life.reopens += 1

        def apply(report):
            _response_due, due = services.due_times(life.category, self.c.agencies[
                report.agency_id], self.c.city, at)
            report.due_at = due
            report.escalation_level = 0
            report.closed_at = None

        self.step(life, Action.REOPEN, at, r.reporter_id, Role.REPORTER,
                  note=self.rng.choice(REOPEN_REASONS), apply=apply)
        self.later(self.after(life, at, lognormal_hours(self.rng, 2.0, 0.8)), life, "assign")

    def comment(self, life: Life, at: datetime, own: bool = False) -> None:
        r = life.report
        self.event(life, ReportEvent.Kind.COMMENT, at, r.reporter_id, Role.REPORTER,
                   note=self.rng.choice(COMMENTS))
        r.comment_count += 1

    def finish(self, life: Life) -> None:
        life.done = True

    # --- running -----------------------------------------------------------------------------

    def run(self) -> Result:
        opts, c = self.opts, self.c
        self.make_citizens()
        for category in c.categories.values():
            category.demo_attributes = list(category.attributes.all())
        self.order = 0
        arrivals = demand.arrivals(self.model, start=opts.start, end=self.now,
                                   total=opts.reports, rng=self.rng)
        tz = c.city.tz
        numbers = reserve_tickets(c.city, Counter(a.at.astimezone(tz).year for a in arrivals))
        # From here on the database is only written to, by the writer (in a second process
        # for a big load: see ForkedWriter).
        self.writer = ForkedWriter() if self.fork_writer else InlineWriter()
        handlers = {"desk": self.desk, "assign": self.assign_later, "start": self.start,
                    "note": self.note, "handback": self.handback, "resolve": self.resolve,
                    "confirm": self.confirm, "desk_close": self.desk_close,
                    "reopen": self.reopen, "comment": self.comment}
        flushed_at = 0
        for arrival in arrivals:
            self.advance(arrival.at, handlers)
            year = arrival.at.astimezone(tz).year
            numbers[year] = numbers.get(year, 0) + 1
            self.arrive(arrival, numbers[year], year)
            # Look for finished reports every BATCH arrivals, not at each one: a big city
            # always has more than 2 × BATCH reports younger than the repeat horizon pending,
            # and scanning them at every arrival made the load quadratic (at 1,000,000
            # reports, ~11,000 pending scanned a million times).
            if len(self.pending) >= BATCH * 2 and self.order - flushed_at >= BATCH:
                flushed_at = self.order
                self.flush(final=False, current=arrival.at)
        self.advance(self.now, handlers)
        for life in self.pending:
            if life.report.status in workflow.OPEN:
                self.escalate_until(life, self.now)
        self.flush(final=True)
        self.writer.close()
        return self.result

    def assign_later(self, life: Life, at: datetime) -> None:
        r = life.report
        if r.status in (Status.VERIFIED, Status.REOPENED):
            self.assign(life, at, self.c.dispatcher.get(r.agency_id), Role.DISPATCHER)

    def advance(self, until: datetime, handlers) -> None:
        while self.heap and self.heap[0][0] <= until:
            at, _seq, life, step, kw = heapq.heappop(self.heap)
            if life.done:
                continue
            handlers[step](life, at, **kw)

    def make_citizens(self) -> None:
        rng, n = self.rng, self.opts.citizens
        start = User.objects.filter(username__startswith="warga-").count()
        unusable = "!" + "demo-no-password"
        users = []
        for i in range(start + 1, start + n + 1):
            joined = self.opts.start - timedelta(days=rng.uniform(0, 400))
            users.append(User(username=f"warga-{i:05d}", role=AccountRole.CITIZEN,
                              display_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                              password=unusable, date_joined=joined,
                              notify_channel=User.Channel.NONE))
        for i in range(0, len(users), BATCH):
            made = User.objects.bulk_create(users[i:i + BATCH])
            add_to_group(made, AccountRole.CITIZEN)
            self.result.citizens += len(made)
        ids = list(User.objects.filter(role=AccountRole.CITIZEN).order_by("pk")
                   .values_list("pk", flat=True))
        # A few citizens report a lot, most only now and then (Zipf-like).
        acc, cum = 0.0, []
        for rank in range(1, len(ids) + 1):
            acc += 1 / rank ** 0.7
            cum.append(acc)
        order = ids[:]
        rng.shuffle(order)
        self.citizens, self.citizen_weights = order, cum

    def supports_for(self, life: Life) -> list[tuple[int, datetime]]:
        r, rng = life.report, self.rng
        if r.status in (Status.REJECTED, Status.DUPLICATE) or not self.citizens:
            return []
        n = 0 if rng.random() < 0.6 else min(int(rng.expovariate(1 / 3)) + 1, 40)
        # Supports come while the report is open (the state machine refuses them after):
        # before the first change to a status that is not open.
        end = min((e[10] for e in life.events if e[3] and e[3] not in workflow.OPEN),
                  default=self.now)
        chosen = {rng.choice(self.citizens) for _ in range(n)} - {r.reporter_id}
        out = []
        for user_id in sorted(chosen):
            at = r.created_at + (end - r.created_at) * rng.random()
            out.append((user_id, at))
            life.followers.setdefault(user_id, at)
        r.support_count = len(out)
        return out

    def flush(self, *, final: bool, current: datetime | None = None) -> None:
        """Write the reports whose life is over (all of them when `final`)."""
        ready = [x for x in self.pending if final or x.done]
        if not final:
            # A report is written once its life is over, no later report is waiting to be
            # marked its duplicate, and it is too old to be seen as a repeat by new arrivals.
            horizon = current - REPEAT_WINDOW - timedelta(days=1)
            ready = [x for x in ready if x.watchers == 0 and x.report.created_at < horizon]
            # A duplicate waits for the report it points to (a foreign key), which may itself
            # be a duplicate waiting for another.
            pending = {id(x) for x in self.pending}
            while True:
                waiting = pending - {id(x) for x in ready}
                kept = [x for x in ready if x.kept is None or id(x.kept) not in waiting]
                if len(kept) == len(ready):
                    break
                ready = kept
        if not ready:
            return
        ids = {id(x) for x in ready}
        self.pending = [x for x in self.pending if id(x) not in ids]
        self.write(ready)

    def write(self, lives: list[Life]) -> None:
        lives.sort(key=lambda x: x.order)
        for i in range(0, len(lives), BATCH):
            chunk = lives[i:i + BATCH]
            for life in chunk:
                life.supporters = self.supports_for(life)
            self.writer.put(self.rows_of(chunk))

    def rows_of(self, chunk: list[Life]) -> list[tuple]:
        """Return the chunk as plain rows for the writer (picklable: it may be another
        process): per report its order, its fields, the order of the report it duplicates,
        whether a later duplicate points to it, its events, supports and followers."""
        names = report_fields()
        out = []
        for life in chunk:
            r = life.report
            values = r.__dict__
            out.append((life.order, tuple(values[n] for n in names),
                        life.kept.order if life.kept is not None else None, life.referenced,
                        sorted(life.events, key=lambda e: e[-1]),
                        life.supporters, sorted(life.followers.items())))
            self.result.by_status[r.status] += 1
            self.result.events += len(life.events)
            self.result.supports += len(life.supporters)
        return out


REPORT_FIELDS: tuple = ()  # the report's concrete attribute names, set on first use


def report_fields() -> tuple:
    global REPORT_FIELDS
    if not REPORT_FIELDS:
        REPORT_FIELDS = tuple(f.attname for f in Report._meta.concrete_fields)
    return REPORT_FIELDS


def insert(rows: list[tuple], pk_of: dict) -> None:
    """Insert one chunk of Simulation.rows_of (a duplicate after the report it points to),
    then the rows that hang off the reports, in one transaction. `pk_of` maps the order of
    each written report that a duplicate points to, to its id (kept between chunks)."""
    names = report_fields()
    reports = []
    for order, values, kept, referenced, *_rest in rows:
        obj = Report.__new__(Report)
        obj._state = ModelState()
        obj.__dict__.update(zip(names, values, strict=True))
        reports.append((order, obj, kept, referenced))
    with transaction.atomic():
        left = reports
        while left:
            now = [x for x in left if x[2] is None or x[2] in pk_of]
            if not now:
                raise RuntimeError("a duplicate points to a report that is not written")
            for _order, obj, kept, _referenced in now:
                if kept is not None:
                    obj.duplicate_of_id = pk_of[kept]
            Report.objects.bulk_create([x[1] for x in now])
            for order, obj, _kept, referenced in now:
                if referenced:
                    pk_of[order] = obj.pk
            done = {x[0] for x in now}
            left = [x for x in left if x[0] not in done]
        supports, followers, events = [], [], []
        for (_o, _v, _k, _r, life_events, supporters, life_followers), (_, obj, _, _) in zip(
                rows, reports, strict=True):
            pk = obj.pk
            supports += [(None, pk, f"u{user_id}", user_id, at) for user_id, at in supporters]
            followers += [(None, pk, u, since) for u, since in life_followers]
            events += [(None, pk, *event) for event in life_events]
        ReportEvent.objects.bulk_create(unsaved(ReportEvent, events), batch_size=BATCH)
        Support.objects.bulk_create(unsaved(Support, supports), batch_size=BATCH)
        Follower.objects.bulk_create(unsaved(Follower, followers), batch_size=BATCH)
    freshness.bump()  # cached public reads see each batch (the server may be running)


class InlineWriter:
    """Writes each chunk at once, in this process (small loads, tests)."""

    def __init__(self):
        self.pk_of: dict = {}

    def put(self, rows: list[tuple]) -> None:
        insert(rows, self.pk_of)

    def close(self) -> None:
        pass


def _write_forever(queue) -> None:
    pk_of: dict = {}
    while (rows := queue.get()) is not None:
        insert(rows, pk_of)
    connections.close_all()


class ForkedWriter:
    """Writes the chunks in a second process while this one simulates: the writing
    (Django's per-value preparation in bulk_create) is three quarters of a big load, the
    simulation the rest, so on two cores the two overlap. The chunks go in order through a
    short queue (one writer: the ids are those the inline writer gives)."""

    def __init__(self):
        ctx = multiprocessing.get_context("fork")
        self.queue = ctx.Queue(maxsize=4)
        connections.close_all()  # the child opens its own connection
        self.process = ctx.Process(target=_write_forever, args=(self.queue,), daemon=True)
        self.process.start()

    def put(self, rows: list[tuple]) -> None:
        while True:
            if not self.process.is_alive():
                raise RuntimeError(f"the demo writer stopped (exit {self.process.exitcode})")
            try:
                self.queue.put(rows, timeout=1)
                return
            except queue_module.Full:
                continue

    def close(self) -> None:
        self.put(None)
        self.process.join()
        if self.process.exitcode != 0:
            raise RuntimeError(f"the demo writer failed (exit {self.process.exitcode})")


def can_fork_writer() -> bool:
    """A second process sees the data only in a database file or server, outside an open
    transaction (never in the test suite's in-memory SQLite or its wrapping transaction)."""
    return (hasattr(os, "fork") and not connection.in_atomic_block
            and not (connection.vendor == "sqlite" and connection.is_in_memory_db()))


def unsaved(model, rows: list[tuple]) -> list:
    """Return unsaved instances of `model` from tuples of all its concrete fields' values
    (the primary key first, None): the state Model.__init__ leaves, without its work per
    field and its pre_init/post_init signals (the values here are plain ids, dates and
    strings, nothing to resolve; there are millions of these rows)."""
    names = [f.attname for f in model._meta.concrete_fields]
    out = []
    for values in rows:
        obj = model.__new__(model)
        obj._state = ModelState()
        obj.__dict__.update(zip(names, values, strict=True))
        out.append(obj)
    return out


_DEFAULTS: dict = {}


def fresh(model, **values):
    """Return an unsaved instance of `model`, as model(**values) would make it but without its
    per-field work and signals: the fields not given take their (constant) defaults; a field
    whose default is computed (a callable) must be given."""
    defaults = _DEFAULTS.get(model)
    if defaults is None:
        defaults = _DEFAULTS[model] = {
            f.attname: f.get_default() for f in model._meta.concrete_fields
            if not (f.has_default() and callable(f.default))}
        _DEFAULTS[model, "given"] = frozenset(
            f.attname for f in model._meta.concrete_fields
            if f.has_default() and callable(f.default))
    missing = _DEFAULTS[model, "given"] - values.keys()
    if missing:
        raise TypeError(f"{model.__name__}: give {sorted(missing)} (computed defaults)")
    obj = model.__new__(model)
    obj._state = ModelState()
    obj.__dict__.update(defaults)
    obj.__dict__.update(values)
    return obj


@contextmanager
def unlogged_queries():
    """With DEBUG on (development), Django keeps each query's SQL with its parameters
    quoted in, for the debug page: a twentieth of a big load's time for statements nobody
    reads. The load runs with the query log off and puts the setting back afterwards."""
    was = settings.DEBUG
    settings.DEBUG = False
    try:
        yield
    finally:
        settings.DEBUG = was


def reserve_tickets(city, per_year: dict[int, int]) -> dict[int, int]:
    """Take `n` ticket numbers per year from the city's counters; return the last number
    before each reserved range (reports made meanwhile by citizens get the numbers after)."""
    base = {}
    with transaction.atomic():
        for year, n in sorted(per_year.items()):
            TicketSequence.objects.get_or_create(city=city, year=year)
            sequence = TicketSequence.objects.select_for_update().get(city=city, year=year)
            base[year] = sequence.last
            sequence.last += n
            sequence.save(update_fields=["last"])
    return base


def year_window(city, year: int, now: datetime) -> tuple[datetime, datetime]:
    """Return [1 January of `year`, min(1 January next year, now)) in the city's zone, as UTC."""
    tz = city.tz
    start = datetime(year, 1, 1, tzinfo=tz).astimezone(timezone.utc)
    end = datetime(year + 1, 1, 1, tzinfo=tz).astimezone(timezone.utc)
    return start, min(end, now)


# A load this big writes in a second process while this one simulates (ForkedWriter).
FORK_WRITER_FROM = 50_000


def generate(city, *, reports: int, citizens: int, year: int, seed: int,
             now: datetime, fork_writer: bool | None = None) -> Result:
    """Write a demo history of `reports` reports and `citizens` citizens for `year`.

    `fork_writer`: write in a second process (default: from FORK_WRITER_FROM reports, where
    a second process can see the data); the history written is the same either way."""
    if fork_writer is None:
        fork_writer = reports >= FORK_WRITER_FROM and can_fork_writer()
    ensure_staff(city)
    start, end = year_window(city, year, now)
    if end <= start:
        raise ValueError("the year has not started yet")
    with translation.override(settings.LANGUAGE_CODE), unlogged_queries():
        result = Simulation(city, Options(reports=reports, citizens=citizens, start=start,
                                          end=end, seed=seed), now=end,
                            fork_writer=fork_writer).run()
    return result
