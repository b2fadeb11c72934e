"""A year of the demo city, written from the one model of a city year (sigap.capacity).

The capacity engine runs the city's scenario (data/<city>/capacity.toml: officers, teams,
shifts, desk hours, work and lead times, rates) on the city's demand model from 1 January
to now, keeping its trace: every status change of every report, each made by the lifecycle
kernel (reports.lifecycle), and the SLA ladder's steps. This module only turns that trace
into rows: it names the actors (one staff account per simulated officer, sigap.demo.staff),
picks reporters among demo citizens, writes the words (notes, reasons) and adds what no
deadline depends on (supports, comments, ratings, an officer's progress note). So the demo
year's dashboard shows what the Kapasitas page predicts for the same inputs, and
`sigap simulate --replay` on it measures how close (docs/capacity.md).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import translation

from sigap.accounts.models import Role as AccountRole, User
from sigap.agencies.models import Category
from sigap.capacity import citymodel, engine, results, rules as city_rules, scenario as scenarios
from sigap.cities.models import Area
from sigap.demo.staff import add_to_group, ensure_staff
from sigap.reports import freshness, workflow
from sigap.reports.models import Follower, Report, ReportEvent, Support, TicketSequence
from sigap.reports.services.create import ticket_text
from sigap.reports.workflow import Action, Role, Status

BATCH = 2000
# A duplicate is placed this far (degrees, a few metres) from the report it repeats.
REPEAT_JITTER = 0.0001
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


DUPLICATE_NOTE = "Digabung dengan laporan {ticket}"
REASSIGN_NOTE = "Bukan kewenangan kami; dialihkan ke dinas yang tepat."
HANDBACK_NOTE = "Butuh alat berat; tidak bisa diselesaikan tim ini."
CONFIRM_NOTE = "Pelapor menyatakan sudah beres."


@dataclass
class Result:
    reports: int = 0
    events: int = 0
    supports: int = 0
    citizens: int = 0
    by_status: dict = field(default_factory=Counter)
    summary: dict = field(default_factory=dict)  # the engine's figures of this very year


def scenario_for(city) -> scenarios.Scenario:
    """Return the city's capacity scenario (data/<city>/capacity.toml)."""
    return scenarios.load(Path(settings.BASE_DIR) / "data" / city.code / "capacity.toml")


def year_window(city, year: int, now: datetime) -> tuple[datetime, datetime]:
    """Return [1 January of `year`, min(1 January next year, now)) in the city's zone, as UTC."""
    tz = city.tz
    start = datetime(year, 1, 1, tzinfo=tz).astimezone(timezone.utc)
    end = datetime(year + 1, 1, 1, tzinfo=tz).astimezone(timezone.utc)
    return start, min(end, now)


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


class Writer:
    """Turns the engine's simulated reports into the database's rows, in batches."""

    def __init__(self, city, run: engine.Run, staff: dict, *, citizens: int, rng):
        self.city, self.run, self.rng = city, run, rng
        self.tz = city.tz
        self.result = Result()
        self.areas = dict(Area.objects.filter(city=city).values_list("code", "pk"))
        self.categories = {c.pk: c for c in Category.objects.filter(city=city)
                           .prefetch_related("attributes")}
        self.teams = {t.id: staff["teams"].get((t.agency, t.code)) for t in run.teams}
        self.officers = {o.id: staff["officers"].get(o.key) for o in run.officers}
        self.officer_by_key = {o.key: self.officers[o.id] for o in run.officers}
        users = User.objects.filter(agency__city=city, is_active=True)
        self.dispatcher = {a: u for a, u in users.filter(role=AccountRole.DISPATCHER)
                           .order_by("-pk").values_list("agency_id", "pk")}
        admin = User.objects.filter(Q(role=AccountRole.ADMIN) | Q(is_superuser=True),
                                    is_active=True).order_by("pk").first()
        self.admin = admin.pk if admin else None
        self.citizens, self.citizen_weights = self.make_citizens(citizens)
        self.pk_of: dict[int, int] = {}  # a simulated report's seq -> its row's id
        self.ticket_of: dict[int, str] = {}
        self.place_of: dict[int, tuple] = {}  # seq -> (lat, lng, kelurahan, kecamatan)

    # --- citizens -------------------------------------------------------------------------

    def make_citizens(self, n: int) -> tuple[list[int], list[float]]:
        rng = self.rng
        start = User.objects.filter(username__startswith="warga-").count()
        joined_before = self.run.timeline.t0
        users = [User(username=f"warga-{i:05d}", role=AccountRole.CITIZEN,
                      display_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                      password="!demo-no-password",
                      date_joined=joined_before - timedelta(days=rng.uniform(0, 400)),
                      notify_channel=User.Channel.NONE)
                 for i in range(start + 1, start + n + 1)]
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
        rng.shuffle(ids)
        return ids, cum

    def citizen(self) -> int | None:
        if not self.citizens:
            return None
        return self.rng.choices(self.citizens, cum_weights=self.citizen_weights)[0]

    # --- one report -------------------------------------------------------------------------

    def actor(self, r: engine.SimReport, role: str, key, reporter: int | None) -> int | None:
        if role == Role.OFFICER:
            return self.officer_by_key.get(key)
        if role == Role.REPORTER:
            return reporter
        if role == Role.DISPATCHER:
            return self.dispatcher.get(r.agency_id) or self.admin
        if role == Role.ADMIN:
            return self.admin
        return None

    def report_of(self, r: engine.SimReport, number: int) -> tuple[Report, list, list, dict]:
        """Return the report's row, its events, its supports and its followers."""
        rng = self.rng
        needs_reporter = any(e[5] == Role.REPORTER for e in r.events)
        source = rng.choices([s for s, _ in SOURCES], [w for _, w in SOURCES])[0]
        reporter, anonymous, contact_name = None, False, ""
        if needs_reporter or (source != Report.Source.PHONE and rng.random() < 0.85):
            reporter = self.citizen()
            if source == Report.Source.PHONE:
                source = Report.Source.WEB
        elif source == Report.Source.PHONE:
            contact_name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        else:
            anonymous = rng.random() < 0.7
        lat, lng = r.loc
        kelurahan, kecamatan = self.areas.get(r.kelurahan), r.kecamatan
        if r.duplicate_of is not None and r.duplicate_of.seq in self.place_of:
            k_lat, k_lng, kelurahan, kecamatan = self.place_of[r.duplicate_of.seq]
            lat = round(k_lat + rng.uniform(-REPEAT_JITTER, REPEAT_JITTER), 6)
            lng = round(k_lng + rng.uniform(-REPEAT_JITTER, REPEAT_JITTER), 6)
        self.place_of[r.seq] = (lat, lng, kelurahan, kecamatan)
        origin = self.categories[self.run_origin_category(r)]
        category = self.categories[r.category_id]
        year = r.created_at.astimezone(self.tz).year
        ticket = ticket_text(self.city.ticket_prefix, year, number)
        self.ticket_of[r.seq] = ticket
        report = Report(
            city_id=self.city.pk, ticket=ticket, category_id=r.category_id,
            description=rng.choice(DESCRIPTIONS.get(origin.code, DESCRIPTIONS["LAINNYA"])),
            answers=self.answers(category), lat=lat, lng=lng, kelurahan_id=kelurahan,
            kecamatan_id=kecamatan, status=r.status, priority=r.priority,
            reporter_id=reporter, is_anonymous=anonymous, contact_name=contact_name,
            source=source, external_app=EXTERNAL_APP.get(source, ""), agency_id=r.agency_id,
            team_id=self.teams.get(r.team_id), officer_id=self.officers.get(r.officer_id),
            response_due_at=r.response_due_at, due_at=r.due_at,
            first_response_at=r.first_response_at, verified_at=r.verified_at,
            assigned_at=r.assigned_at, started_at=r.started_at, resolved_at=r.resolved_at,
            closed_at=r.closed_at, escalation_level=r.escalation_level,
            response_escalation_level=r.response_escalation_level,
            reject_reason=r.reject_reason, created_at=r.created_at, updated_at=r.updated_at,
            is_public=True, tracking_key=f"{rng.getrandbits(96):024x}")
        report.place_cells()
        followers = {reporter: r.created_at} if reporter else {}
        events = [dict(kind=ReportEvent.Kind.CREATED, actor_id=reporter,
                       actor_role=Role.REPORTER, new=Status.SUBMITTED,
                       agency_id=(r.wrong_agency or r.agency).pk, data={"source": source},
                       at=r.created_at)]
        note = ""
        for at, kind, action, old, new, role, agency_id, key, public, data in r.events:
            text = self.words(r, action, data)
            if action == Action.ASSIGN:
                data = {"team": self.teams.get(data.get("team")),
                        "officer": self.officers.get(data.get("officer"))}
            elif action == Action.MARK_DUPLICATE:
                data = {"of": self.ticket_of.get(data.get("of"), "")}
            events.append(dict(kind=kind, action=action, old=old, new=new,
                               actor_id=self.actor(r, role, key, reporter), actor_role=role,
                               agency_id=agency_id, note=text, is_public=public, data=data,
                               at=at))
            note = text or note
            if action == Action.START and rng.random() < 0.35:
                later = at + timedelta(minutes=rng.uniform(20, 90))
                if later < self.run.cut:
                    progress = rng.choice(NOTES)
                    events.append(dict(kind=ReportEvent.Kind.PUBLIC_NOTE, actor_id=self.actor(
                        r, role, key, reporter), actor_role=Role.OFFICER, agency_id=agency_id,
                        note=progress, is_public=True, at=later))
            if action == Action.CLOSE and role == Role.REPORTER and rng.random() < 0.8:
                late = r.due_at is not None and r.resolved_at and r.resolved_at > r.due_at
                weights = [3, 5, 12, 30, 50] if not late else [12, 15, 25, 28, 20]
                report.rating = rng.choices([1, 2, 3, 4, 5], weights)[0]
                events.append(dict(kind=ReportEvent.Kind.RATING, actor_id=reporter,
                                   actor_role=Role.REPORTER, new=str(report.rating), at=at))
        if reporter and rng.random() < 0.08:
            at = r.created_at + timedelta(hours=rng.uniform(1, 48))
            if at < self.run.cut:
                events.append(dict(kind=ReportEvent.Kind.COMMENT, actor_id=reporter,
                                   actor_role=Role.REPORTER, note=rng.choice(COMMENTS), at=at))
                report.comment_count += 1
        report.status_note = note[:500]
        if r.duplicate_of is not None:
            report.status_note = DUPLICATE_NOTE.format(
                ticket=self.ticket_of.get(r.duplicate_of.seq, ""))[:500]
        supports = self.supports(r, report, reporter, followers)
        return report, events, supports, followers

    def run_origin_category(self, r: engine.SimReport) -> int:
        for event in r.events:
            if event[2] == Action.RECATEGORISE:
                return self.categories_by_code[event[9]["from"]]
        return r.category_id

    def words(self, r: engine.SimReport, action: str, data: dict) -> str:
        rng = self.rng
        if action == Action.RESOLVE:
            return rng.choice(RESOLVE_NOTES)
        if action == Action.REOPEN:
            return rng.choice(REOPEN_REASONS)
        if action == Action.REASSIGN:
            return REASSIGN_NOTE
        if action == Action.HANDBACK:
            return HANDBACK_NOTE
        if action == Action.REJECT:
            return r.reject_reason
        return ""

    def answers(self, category: Category) -> dict:
        out = {}
        for attr in category.attributes.all():
            if attr.values:
                out[attr.code] = self.rng.choice(attr.values)[0]
            elif attr.datatype == "number":
                out[attr.code] = float(self.rng.randint(1, 4))
            elif attr.required:
                out[attr.code] = f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"
        return out

    def supports(self, r, report, reporter, followers) -> list[tuple[int, datetime]]:
        rng = self.rng
        if r.status in (Status.REJECTED, Status.DUPLICATE) or not self.citizens:
            return []
        n = 0 if rng.random() < 0.6 else min(int(rng.expovariate(1 / 3)) + 1, 40)
        # Supports come while the report is open (the state machine refuses them after).
        end = min((e[0] for e in r.events if e[4] and e[4] not in workflow.OPEN),
                  default=self.run.cut)
        chosen = {rng.choice(self.citizens) for _ in range(n)} - {reporter}
        out = []
        for user_id in sorted(chosen):
            at = r.created_at + (end - r.created_at) * rng.random()
            out.append((user_id, at))
            followers.setdefault(user_id, at)
        report.support_count = len(out)
        return out

    # --- all of them ------------------------------------------------------------------------

    def write(self) -> Result:
        self.categories_by_code = {c.code: c.pk for c in self.categories.values()}
        reports = [r for r in self.run.reports if r.agency is not None and r.events is not None
                   and r.agency_id is not None]
        years = Counter(r.created_at.astimezone(self.tz).year for r in reports)
        base = reserve_tickets(self.city, years)
        numbers = dict(base)
        for i in range(0, len(reports), BATCH):
            chunk = []
            for r in reports[i:i + BATCH]:
                year = r.created_at.astimezone(self.tz).year
                numbers[year] += 1
                chunk.append((r, *self.report_of(r, numbers[year])))
            self.insert(chunk)
        return self.result

    @transaction.atomic
    def insert(self, chunk: list) -> None:
        rows = [report for _r, report, _e, _s, _f in chunk]
        Report.objects.bulk_create(rows)
        duplicates = []
        for (r, report, _e, _s, _f) in chunk:
            self.pk_of[r.seq] = report.pk
            if r.duplicate_of is not None:
                report.duplicate_of_id = self.pk_of.get(r.duplicate_of.seq)
                duplicates.append(report)
        Report.objects.bulk_update(duplicates, ["duplicate_of_id"])
        events, supports, followers, merged = [], [], [], []
        for r, report, report_events, report_supports, report_followers in chunk:
            events += [ReportEvent(report_id=report.pk, **e) for e in report_events]
            supports += [Support(report_id=report.pk, supporter_key=f"u{u}", user_id=u,
                                 created_at=at) for u, at in report_supports]
            followers += [Follower(report_id=report.pk, user_id=u, created_at=since)
                          for u, since in report_followers.items()]
            if r.duplicate_of is not None and report.duplicate_of_id:
                at = next(e["at"] for e in report_events
                          if e.get("action") == Action.MARK_DUPLICATE)
                merged.append(ReportEvent(report_id=report.duplicate_of_id,
                                          kind=ReportEvent.Kind.MERGED,
                                          actor_id=self.dispatcher.get(report.agency_id),
                                          agency_id=report.agency_id, new=report.ticket,
                                          data={"duplicate": report.ticket}, at=at))
            self.result.by_status[report.status] += 1
        ReportEvent.objects.bulk_create(events + merged, batch_size=BATCH)
        Support.objects.bulk_create(supports, batch_size=BATCH)
        Follower.objects.bulk_create(followers, batch_size=BATCH, ignore_conflicts=True)
        self.result.reports += len(rows)
        self.result.events += len(events) + len(merged)
        self.result.supports += len(supports)
        freshness.bump()  # cached public reads see each batch (the server may be running)


def generate(city, *, reports: int, citizens: int, year: int, seed: int,
             now: datetime) -> Result:
    """Write a demo year of `reports` reports (1 January to `now`) and `citizens` citizens,
    simulated by the capacity engine on the city's scenario (see the module's docstring)."""
    scenario = scenario_for(city)
    start, end = year_window(city, year, now)
    if end <= start:
        raise ValueError("the year has not started yet")
    staff = ensure_staff(city, scenario)
    with translation.override(settings.LANGUAGE_CODE):
        rules = city_rules.load(city, scenario)
        model = citymodel.model_for_city(city)
        rng = random.Random(seed)
        arrivals = citymodel.arrivals(model, start=start, end=end, total=reports, rng=rng)
        run = engine.simulate(rules, scenario, arrivals, seed=seed, window=(start, end),
                              trace=True)
        result = Writer(city, run, staff, citizens=citizens, rng=rng).write()
    result.summary = results.summarise(run)
    return result
