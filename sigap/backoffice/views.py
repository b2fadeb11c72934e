"""Back office: the dispatcher inbox and the officer's task list. Thin views.

Every view reads the clock once (`timezone.now()`), finds reports through `access`, and
changes them only through `sigap.reports.services` (which check the actor's role again).
"""

from __future__ import annotations

import hashlib
import json
import math
import secrets
from datetime import datetime, time, timedelta
from functools import lru_cache
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Count, Exists, F, OuterRef, Prefetch, Q, When
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime, parse_time
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _, gettext_lazy as _l
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from sigap.accounts import audit, roles
from sigap.accounts.models import Role as AccountRole, User
from sigap.agencies.models import Agency, Category, Team
from sigap.backoffice import access
from sigap.backoffice.access import report_for_staff, staff_required
from sigap.backoffice.models import ResponseTemplate
from sigap.cities.middleware import office_city
from sigap.cities.models import Area
from sigap.duty.services import on_duty_ids
from sigap.lib import geo, text
from sigap.recognition import services as recognition
from sigap.reports import queries, services, visibility, workflow
from sigap.reports.models import Photo, Report
from sigap.reports.workflow import Status
from sigap.suggest import services as suggester

PAGE_SIZE = 50
# The columns a list row shows: the wide ones (descriptions aside, area boundaries, answers)
# stay in the database, which keeps the sort over thousands of open reports cheap.
LIST_FIELDS = [
    "ticket", "status", "priority", "created_at", "due_at", "response_due_at",
    "sla_paused_at", "escalation_level", "description", "address", "agency_id", "officer_id",
    "team_id", "reporter_id", "is_public",  # what the state machine and role_of read
    "category__name_id", "category__name_en", "agency__name", "agency__short_name",
    "kelurahan__name", "kecamatan__name", "team__name",
    "officer__username", "officer__display_name", "officer__first_name", "officer__last_name",
]
STATUS_FILTERS = ["open", "all", *Status.values]
A = workflow.Action
# The actions each page offers; which of them show is the state machine's answer.
BULK_ACTIONS = (A.VERIFY, A.ASSIGN)
DESK_ACTIONS = (A.VERIFY, A.ASSIGN, A.REJECT, A.MARK_DUPLICATE, A.RECATEGORISE, A.REASSIGN,
                A.PAUSE, A.RESUME, A.SCHEDULE, A.REPRIORITISE, A.CHANGE_DEADLINE)
NOTE_ACTIONS = (A.NOTE_INTERNAL, A.NOTE_PUBLIC)


def _sla_due():
    """The deadline that matters now: first response while new, resolution after."""
    return Case(When(status=Status.SUBMITTED, then=F("response_due_at")), default=F("due_at"))


def _error_text(exc) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(str(m) for m in exc.messages)
    return getattr(exc, "message", str(exc))


def _back(request, ticket):
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return redirect(target)
    return redirect("backoffice:report", ticket=ticket)


def _officer_choices(agency_id):
    """Officers of an agency with their open task count (one query)."""
    return list(
        User.objects.filter(agency_id=agency_id, role=AccountRole.OFFICER, is_active=True)
        .annotate(open_tasks=Count("tasks", filter=Q(tasks__status__in=workflow.IN_FIELD)))
        .order_by("open_tasks", "username")
    )


def _officers_for(report, now):
    """The assign form's officers: the report's kecamatan team first, then who is on duty
    now (the rota; the on-duty flag for an agency without one), then the fewest open tasks.
    Two queries (officers with counts and team membership, the rota), whatever the count."""
    local_teams = Team.objects.filter(agency_id=report.agency_id,
                                      kecamatan=report.kecamatan_id).values("pk")
    officers = list(
        User.objects.filter(agency_id=report.agency_id, role=AccountRole.OFFICER,
                            is_active=True)
        .annotate(open_tasks=Count("tasks", filter=Q(tasks__status__in=workflow.IN_FIELD)),
                  in_team=Exists(User.teams.through.objects.filter(
                      user_id=OuterRef("pk"), team_id__in=local_teams)))
        .order_by("username"))
    on_duty = on_duty_ids(report.agency, now)
    for officer in officers:
        officer.duty_now = officer.on_duty if on_duty is None else officer.pk in on_duty
    officers.sort(key=lambda o: (not o.in_team, not o.duty_now, o.open_tasks))
    return officers


# --- Staff sign-in ------------------------------------------------------------------------

class StaffSignInForm(forms.Form):
    username = forms.CharField(label=_l("Nama pengguna"), max_length=150,
                               widget=forms.TextInput(attrs={
                                   "autocomplete": "username", "autocapitalize": "none",
                                   "autofocus": True}))
    password = forms.CharField(label=_l("Kata sandi"), widget=forms.PasswordInput(
        attrs={"autocomplete": "current-password"}))


def staff_signin(request):
    """Staff sign in with their username and password and land on the office."""
    asked = request.POST.get("next") or request.GET.get("next") or ""
    target = asked if (asked.startswith("/office/") and url_has_allowed_host_and_scheme(
        asked, {request.get_host()})) else ""
    if access.is_staff_user(request.user):
        return redirect(target or roles.home_for(request.user))
    form = StaffSignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(request, username=form.cleaned_data["username"].strip(),
                            password=form.cleaned_data["password"])
        if user is None or not access.is_staff_user(user):
            # The same answer for both: it does not tell which usernames exist.
            form.add_error(None, _("Nama pengguna atau kata sandi salah, atau akun ini "
                                   "bukan akun petugas."))
        else:
            login(request, user)
            response = redirect(target or roles.home_for(user))
            response.set_cookie("django_language", user.language, max_age=365 * 24 * 3600,
                                samesite="Lax")
            return response
    return render(request, "backoffice/signin.html", {"form": form, "next": target},
                  status=400 if form.errors else 200)


# --- Inbox --------------------------------------------------------------------------------

def _inbox_filter(user, g, now):
    """Return (reports, agency, sees_all, status) for the inbox's query string: the one
    filter the inbox page and its live arrivals share."""
    qs = visibility.office_reports(user).annotate(sla_due=_sla_due())
    sees_all = visibility.sees_every_agency(user)
    agency = None
    if sees_all and g.get("agency"):
        agency_id = text.as_id(g["agency"])
        agency = Agency.objects.filter(pk=agency_id).first() if agency_id is not None \
            else Agency.objects.filter(code=g["agency"][:20]).first()
    elif not sees_all:
        agency = user.agency
    if agency is not None:
        qs = qs.filter(agency=agency)
    status = g.get("status") or "open"
    if status == "open":
        qs = qs.filter(status__in=workflow.OPEN)
    elif status in Status.values:
        qs = qs.filter(status=status)
    if text.as_id(g.get("category")) is not None:
        qs = qs.filter(category_id=text.as_id(g["category"]))
    if text.as_id(g.get("kecamatan")) is not None:
        qs = qs.filter(kecamatan_id=text.as_id(g["kecamatan"]))
    if g.get("overdue"):
        qs = qs.filter(sla_due__lt=now, sla_paused_at__isnull=True,
                       status__in=workflow.OPEN)
    if g.get("q"):
        qs = qs.filter(ticket__icontains=g["q"].strip())
    return qs, agency, sees_all, status


@staff_required
def inbox(request):
    user = request.user
    if user.role == AccountRole.OFFICER and not user.is_city_admin:
        return redirect("backoffice:tasks")
    now = timezone.now()
    g = request.GET
    qs, agency, sees_all, status = _inbox_filter(user, g, now)
    qs = qs.order_by("priority", F("sla_due").asc(nulls_last=True), "created_at", "pk")
    # Sort and page over the report table alone, then load the page's rows with their joins.
    page = Paginator(qs.values_list("pk", flat=True), PAGE_SIZE).get_page(g.get("page"))
    rows = Report.objects.filter(pk__in=list(page.object_list)).for_list() \
        .only(*LIST_FIELDS, "lat", "lng").annotate(sla_due=_sla_due()).prefetch_related(
            Prefetch("photos", to_attr="report_photos", queryset=Photo.objects.filter(
                kind=Photo.Kind.REPORT).only("pk", "report_id", "image", "thumbnail")
                .order_by("created_at", "pk"))).in_bulk()
    page.object_list = [rows[pk] for pk in page.object_list]
    _mark_duplicates(page.object_list, now)
    # What may be done to each row (the bulk bar's actions): no query per row.
    team_ids = services.team_ids_of(user)
    bulk_actions = set()
    for r in page.object_list:
        r.actions = services.actions_for(user, r, among=BULK_ACTIONS, team_ids=team_ids)
        bulk_actions |= r.actions
    # The page's reports on a small map (staff see the exact place).
    points = [{"t": r.ticket, "lat": r.lat, "lng": r.lng, "p": r.priority,
               "u": reverse("backoffice:report", args=[r.ticket])} for r in page.object_list]
    categories = Category.objects.filter(is_active=True)
    if agency is not None:
        categories = categories.filter(agency=agency)
    params = g.copy()
    params.pop("page", None)
    context = {
        "page": page, "now": now, "agency": agency, "sees_all": sees_all,
        "agencies": Agency.objects.all() if sees_all else [],
        "categories": categories,
        "kecamatan": Area.objects.filter(level="kecamatan").only("pk", "name"),
        "status_choices": Status.choices, "filters": g, "status": status,
        "query_string": params.urlencode(),
        "bulk_actions": bulk_actions,
        "officers": _officer_choices(agency.pk) if agency is not None else [],
        "teams": Team.objects.filter(agency=agency) if agency is not None else [],
        "points": points, "tile_url": settings.SIGAP_TILE_URL,
        "tile_attribution": settings.SIGAP_TILE_ATTRIBUTION,
    }
    # The first page of the open (or new) reports hears of arrivals live (arrivals()).
    context["live"] = status in ("open", Status.SUBMITTED) and g.get("page", "1") == "1"
    context["live_since"] = now.isoformat()
    context["city"] = agency.city if agency is not None else None
    return render(request, "backoffice/inbox.html", context)


def _mark_duplicates(rows, now) -> None:
    """Give each new report on the page the number of open reports it may repeat (the
    report page lists them, one click to merge)."""
    new = [r for r in rows if r.status == Status.SUBMITTED]
    counts = queries.duplicate_counts(new, now=now, radius_m=settings.SIGAP_DUPLICATE_RADIUS_M,
                                      days=settings.SIGAP_DUPLICATE_DAYS) if new else {}
    for r in rows:
        r.duplicate_count = counts.get(r.pk, 0)


ARRIVALS_OVERLAP = timedelta(seconds=30)  # a report committed late with an earlier stamp
ARRIVALS_MAX = 20


@staff_required
def arrivals(request):
    """The open inbox's live feed: the reports that arrived (new, or re-routed here: both are
    "submitted") since the cursor, as rows and map points; polled every few seconds.

    Cheap by construction: one indexed query (report_agency_arrivals) and one for the
    photos, whatever the number of rows; a cursor that overlaps the last poll by
    ARRIVALS_OVERLAP, so that a report whose transaction committed after its timestamp is
    not missed (the page skips tickets it already shows).
    """
    user = request.user
    now = timezone.now()
    since = parse_datetime(request.GET.get("since") or "")
    if since is None or timezone.is_naive(since):
        return HttpResponseBadRequest("since")
    qs, agency, sees_all, status = _inbox_filter(user, request.GET, now)
    if status not in ("open", Status.SUBMITTED):
        return JsonResponse({"cursor": now.isoformat(), "rows": "", "points": []})
    rows = list(
        qs.filter(status=Status.SUBMITTED, updated_at__gte=since - ARRIVALS_OVERLAP)
        .order_by("-updated_at", "-pk").for_list().only(*LIST_FIELDS, "lat", "lng")
        .prefetch_related(Prefetch("photos", to_attr="report_photos",
                                   queryset=Photo.objects.filter(kind=Photo.Kind.REPORT)
                                   .only("pk", "report_id", "image", "thumbnail")
                                   .order_by("created_at", "pk")))[:ARRIVALS_MAX])
    _mark_duplicates(rows, now)
    if request.GET.get("bulk") == "1":
        team_ids = services.team_ids_of(user)
        for r in rows:
            r.actions = services.actions_for(user, r, among=BULK_ACTIONS, team_ids=team_ids)
    points = [{"t": r.ticket, "lat": r.lat, "lng": r.lng, "p": r.priority,
               "u": reverse("backoffice:report", args=[r.ticket])} for r in rows]
    html = render_to_string("backoffice/_inbox_rows.html", {
        "rows": rows, "now": now, "sees_all": sees_all,
        "bulk_actions": request.GET.get("bulk") == "1", "arrived": True}, request=request)
    return JsonResponse({"cursor": now.isoformat(), "rows": html if rows else "",
                         "points": points})


@staff_required
@require_POST
def bulk(request):
    """Verify or assign several reports at once; each goes through the same checks."""
    now = timezone.now()
    action = request.POST.get("action")
    tickets = request.POST.getlist("tickets")
    if action not in ("verify", "assign") or not tickets:
        messages.error(request, _("Pilih laporan dan tindakan."))
        return _to_inbox(request)
    done, failed = [], []
    for ticket in tickets[:PAGE_SIZE]:
        try:
            report = report_for_staff(request, ticket)
            if action == "verify":
                services.verify(report.pk, actor=request.user, now=now)
            else:
                officer, team = _assignee(request, report)
                services.assign(report.pk, actor=request.user, now=now, officer=officer,
                                team=team)
            done.append(ticket)
        except (ValidationError, workflow.TransitionError) as exc:
            failed.append(f"{ticket}: {_error_text(exc)}")
        except (PermissionDenied, Http404):
            failed.append(f"{ticket}: {_('Tidak berwenang.')}")
    if done:
        messages.success(request, _("%(n)d laporan diproses: %(t)s") % {
            "n": len(done), "t": ", ".join(done)})
    for line in failed:
        messages.error(request, line)
    return _to_inbox(request)


def _to_inbox(request):
    """Go back to the inbox view the dispatcher came from (same site only)."""
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return redirect(target)
    return redirect("backoffice:inbox")


# --- One report ---------------------------------------------------------------------------

def _assignee(request, report):
    officer = team = None
    officer_id = request.POST.get("officer") or ""
    team_id = request.POST.get("team") or ""
    if officer_id:
        officer = User.objects.filter(pk=text.as_id(officer_id)).first() \
            if text.as_id(officer_id) is not None else None
        if officer is None:
            raise ValidationError({"officer": _("Petugas tidak dikenal.")})
    if team_id:
        team = Team.objects.filter(pk=text.as_id(team_id)).first() \
            if text.as_id(team_id) is not None else None
        if team is None:
            raise ValidationError({"team": _("Tim tidak dikenal.")})
    return officer, team


# The desk sees the suggester's choice when it is at least this sure (docs/decisions/0014).
SUGGESTION_MIN_SCORE = 0.5


def _suggested(report):
    """Return the category the suggester finds for a waiting report's words when it differs
    from the citizen's choice (None otherwise), with its score."""
    if report.status != Status.SUBMITTED or not report.description:
        return None
    found, _version = suggester.suggest(report.city, report.description, limit=1)
    if not found or found[0].code == report.category.code \
            or found[0].score < SUGGESTION_MIN_SCORE:
        return None
    return found[0]


def _report_context(request, report, now):
    role = access.role_for(request, report)
    events = list(report.events.select_related("actor", "moderation__decided_by")
                  .order_by("at", "pk"))
    labels = dict(Status.choices)
    role_labels = dict(workflow.Role.choices)
    for event in events:
        event.old_label, event.new_label = labels.get(event.old, ""), labels.get(event.new, "")
        # Who acted, by name; a citizen without one by their part, never an internal id.
        event.actor_label = role_labels.get(event.actor_role, "")
        if event.kind == event.Kind.DEADLINE:
            event.old_at, event.new_at = parse_datetime(event.old), parse_datetime(event.new)
    photos = list(report.photos.select_related("moderation__decided_by"))
    attrs = {a.code: a for a in report.category.attributes.all()}
    answers = []
    for code, value in (report.answers or {}).items():
        attr = attrs.get(code)
        if attr is not None and attr.values:
            labels = dict(attr.choices())
            values = value if isinstance(value, list) else [value]
            value = ", ".join(labels.get(v, v) for v in values)
        answers.append((attr.label if attr else code, value))
    actions = services.actions_for(request.user, report, role=role)
    is_desk = role in workflow.DESK
    if access.can_see_contacts(role):
        audit.record(request.user, audit.CONTACT_VIEWED, f"report:{report.ticket}", now)
    return {
        "report": report, "role": role, "events": events, "now": now,
        "report_photos": [p for p in photos if p.kind == p.Kind.REPORT],
        "proof_photos": [p for p in photos if p.kind != p.Kind.REPORT],
        "answers": answers, "actions": actions, "is_desk": is_desk,
        "desk_actions": actions.intersection(DESK_ACTIONS),
        "note_actions": actions.intersection(NOTE_ACTIONS),
        "show_contacts": access.can_see_contacts(role),
        # The reporter's trusted standing (decision 0017): the city office may revoke it.
        "reporter_trust": recognition.trust_of(report.reporter_id, report.city_id)
        if report.reporter_id and access.can_see_contacts(role) else None,
        "can_set_trust": role == workflow.Role.ADMIN,
        "reject_reasons": services.REJECT_REASONS.items(),
        "agencies": Agency.objects.filter(city_id=report.city_id).exclude(pk=report.agency_id)
        if A.REASSIGN in actions else [],
        "officers": _officers_for(report, now) if A.ASSIGN in actions else [],
        "duplicates": queries.duplicate_candidates(
            report, now=now, radius_m=settings.SIGAP_DUPLICATE_RADIUS_M,
            days=settings.SIGAP_DUPLICATE_DAYS) if A.MARK_DUPLICATE in actions else [],
        "proof_warn_m": settings.SIGAP_PROOF_DISTANCE_WARN_M,
        "radius_m": settings.SIGAP_DUPLICATE_RADIUS_M, "days": settings.SIGAP_DUPLICATE_DAYS,
        "today": now.astimezone(report.city.tz).date(),
        "suggested": _suggested(report) if A.RECATEGORISE in actions else None,
        "categories": Category.objects.filter(city_id=report.city_id, is_active=True)
        .exclude(pk=report.category_id).select_related("agency")
        if A.RECATEGORISE in actions else [],
        "teams": Team.objects.filter(agency_id=report.agency_id) if A.ASSIGN in actions else [],
        "templates": ResponseTemplate.objects.filter(
            Q(agency__isnull=True) | Q(agency_id=report.agency_id), city_id=report.city_id,
            is_active=True)
        if actions.intersection(NOTE_ACTIONS) else [],
        "directions": f"https://www.google.com/maps/dir/?api=1&destination={report.lat},"
                      f"{report.lng}",
        "geo_link": f"geo:{report.lat},{report.lng}",
        "tile_url": settings.SIGAP_TILE_URL,
        "tile_attribution": settings.SIGAP_TILE_ATTRIBUTION,
        "city_boundary": report.city.boundary,
        "deliveries": list(report.notifications.select_related("user").order_by("-pk")[:20])
        if is_desk else [],
    }


@staff_required
def report_detail(request, ticket):
    now = timezone.now()
    report = report_for_staff(request, ticket)
    return render(request, "backoffice/report.html", _report_context(request, report, now))


@staff_required
@require_POST
def reporter_trust(request, ticket):
    """The city office revokes (or gives back) the reporter's trusted standing in its city."""
    report = report_for_staff(request, ticket)
    if access.role_for(request, report) != workflow.Role.ADMIN or report.reporter is None:
        raise PermissionDenied
    if request.POST.get("trust") == "revoke":
        recognition.revoke_trust(report.city, report.reporter, by=request.user,
                                 now=timezone.now(), reason=request.POST.get("reason", ""))
        messages.success(request, _("Status pelapor tepercaya dicabut."))
    else:
        recognition.restore_trust(report.city, report.reporter)
        messages.success(request, _("Status pelapor kembali ditentukan rekam jejaknya."))
    return redirect("backoffice:report", ticket=report.ticket)


@staff_required
def task_detail(request, ticket):
    now = timezone.now()
    report = report_for_staff(request, ticket)
    context = _report_context(request, report, now)
    # A failed action on this task (without JavaScript): shown here, at the task's address.
    failed = request.session.pop("task_failed", None)
    if failed and failed.get("ticket") == ticket:
        context.update({"error": failed["error"], "posted": failed["posted"],
                        "failed_action": failed["action"]})
    return render(request, "backoffice/task.html", context, status=400 if failed else 200)


def _do_verify(request, report, now):
    services.verify(report.pk, actor=request.user, now=now, note=request.POST.get("note", ""))
    return _("Laporan diverifikasi.")


def _do_reject(request, report, now):
    services.reject(report.pk, actor=request.user, now=now,
                    reason=request.POST.get("reason", ""), note=request.POST.get("note", ""))
    return _("Laporan ditolak.")


def _do_duplicate(request, report, now):
    ticket = (request.POST.get("of") or "").strip().upper()
    kept = Report.objects.filter(ticket=ticket, city_id=report.city_id).first()
    if kept is None:
        raise ValidationError({"of": _("Nomor tiket laporan asli tidak ditemukan.")})
    services.mark_duplicate(report.pk, actor=request.user, now=now, of=kept,
                            note=request.POST.get("note", ""))
    return _("Ditandai sebagai duplikat dari %(t)s.") % {"t": kept.ticket}


def _do_reassign(request, report, now):
    agency_id = request.POST.get("agency") or ""
    agency = Agency.objects.filter(pk=text.as_id(agency_id)).first() \
        if text.as_id(agency_id) is not None else None
    if agency is None:
        raise ValidationError({"agency": _("Pilih dinas tujuan.")})
    services.reassign(report.pk, actor=request.user, now=now, agency=agency,
                      reason=request.POST.get("reason", ""))
    return _("Laporan dialihkan ke %(a)s.") % {"a": agency}


def _do_assign(request, report, now):
    officer, team = _assignee(request, report)
    services.assign(report.pk, actor=request.user, now=now, officer=officer, team=team)
    return _("Laporan ditugaskan.")


def _do_note(request, report, now):
    public = request.POST.get("visibility") == "public"
    services.add_note(report.pk, actor=request.user, now=now, text=request.POST.get("text", ""),
                      public=public)
    return _("Catatan publik ditambahkan.") if public else _("Catatan internal ditambahkan.")


def _do_start(request, report, now):
    services.start(report.pk, actor=request.user, now=now)
    return _("Pekerjaan dimulai.")


def _place(value: str):
    """Return (lat, lng) from "lat,lng" as the phone sends a proof photo's EXIF place."""
    try:
        lat, lng = (float(x) for x in (value or "").split(","))
    except ValueError:
        return None
    return (lat, lng) if geo.valid_lat_lng(lat, lng) else None


def _do_resolve(request, report, now):
    photos = [f.read() for f in request.FILES.getlist("photo")]
    places = [_place(v) for v in request.POST.getlist("photo_gps")]
    services.resolve(report.pk, actor=request.user, now=now, note=request.POST.get("note", ""),
                     photos=photos, places=places)
    return _("Laporan diselesaikan. Terima kasih!")


def _do_recategorise(request, report, now):
    code = request.POST.get("category", "")
    category = Category.objects.filter(city_id=report.city_id, code=code,
                                       is_active=True).first()
    if category is None:
        raise ValidationError({"category": _("Pilih kategori.")})
    report = services.recategorise(report.pk, actor=request.user, now=now, category=category,
                                   note=request.POST.get("note", ""))
    return _("Kategori diubah ke %(category)s; laporan diteruskan ke %(agency)s.") % {
        "category": category.name, "agency": report.agency}


def _do_handback(request, report, now):
    services.handback(report.pk, actor=request.user, now=now,
                      reason=request.POST.get("reason", ""))
    return _("Laporan dikembalikan ke dispatcher.")


def _do_pause(request, report, now):
    services.pause_sla(report.pk, actor=request.user, now=now, note=request.POST.get("note", ""))
    return _("SLA dijeda sambil menunggu informasi dari warga.")


def _do_resume(request, report, now):
    services.resume_sla(report.pk, actor=request.user, now=now,
                        note=request.POST.get("note", ""))
    return _("SLA dilanjutkan.")


def _is_public(request) -> bool:
    """Whether the dispatcher chose to show the change to the citizen (default: not)."""
    return request.POST.get("audience") == "public"


def _do_schedule(request, report, now):
    on = parse_date(request.POST.get("on") or "")
    if on is None:
        raise ValidationError({"on": _("Pilih tanggal pengerjaan.")})
    services.schedule(report.pk, actor=request.user, now=now, on=on,
                      note=request.POST.get("note", ""),
                      is_public=request.POST.get("audience", "public") == "public")
    return _("Pekerjaan dijadwalkan pada %(d)s.") % {"d": on.strftime("%d-%m-%Y")}


def _do_reprioritise(request, report, now):
    priority = text.as_id(request.POST.get("priority"))
    services.reprioritise(report.pk, actor=request.user, now=now, priority=priority,
                          reason=request.POST.get("reason", ""), is_public=_is_public(request))
    return _("Prioritas diubah.")


def _do_deadline(request, report, now):
    day = parse_date(request.POST.get("date") or "")
    hour = parse_time(request.POST.get("time") or "") or time(16, 0)
    if day is None:
        raise ValidationError({"due_at": _("Pilih tanggal tenggat baru.")})
    due_at = datetime.combine(day, hour).replace(tzinfo=report.city.tz)
    services.change_deadline(report.pk, actor=request.user, now=now, due_at=due_at,
                             reason=request.POST.get("reason", ""), is_public=_is_public(request))
    return _("Tenggat diubah.")


ACTIONS = {
    "verify": _do_verify, "reject": _do_reject, "duplicate": _do_duplicate,
    "reassign": _do_reassign, "assign": _do_assign, "note": _do_note, "start": _do_start,
    "resolve": _do_resolve, "handback": _do_handback, "pause": _do_pause, "resume": _do_resume,
    "recategorise": _do_recategorise, "schedule": _do_schedule,
    "reprioritise": _do_reprioritise, "deadline": _do_deadline,
}


@staff_required
@require_POST
def act(request, ticket, action):
    """Run one action on one report; on bad input, show the page again keeping what was typed."""
    handler = ACTIONS.get(action)
    if handler is None:
        return HttpResponseBadRequest("unknown action")
    now = timezone.now()
    report = report_for_staff(request, ticket)
    in_task = request.POST.get("view") == "task"
    # The officer's offline outbox sends each action with its own key (decision 0003's
    # design, static/shared/outbox.js): a retry of an action already done is answered as
    # the first was, and nothing is done twice.
    key = (request.headers.get("X-Idempotency-Key") or "").strip()
    try:
        if key:
            said = {}

            def run():
                said["message"] = handler(request, report, now)
                return report

            _report, replayed = services.once(f"act:{request.user.pk}:{action}", key,
                                              report.pk, run, now=now)
            message = _("Tindakan ini sudah tercatat sebelumnya.") if replayed \
                else said["message"]
        else:
            message = handler(request, report, now)
    except (ValidationError, workflow.TransitionError) as exc:
        if "application/json" in request.headers.get("Accept", ""):
            return JsonResponse({"ok": False, "error": _error_text(exc)}, status=400)
        if in_task:
            # Back to the task's own address, keeping what was typed (not the files).
            request.session["task_failed"] = {
                "ticket": ticket, "action": action, "error": _error_text(exc),
                "posted": {k: v for k, v in request.POST.items()
                           if k in ("note", "text", "reason")}}
            return redirect("backoffice:task", ticket=ticket)
        messages.error(request, _error_text(exc))
        return _back(request, ticket)
    messages.success(request, message)
    if "application/json" in request.headers.get("Accept", "") and in_task:
        done = action in ("resolve", "handback")
        return JsonResponse({"ok": True, "next": reverse(
            "backoffice:tasks") if done else reverse("backoffice:task", args=[ticket])})
    if action in ("reassign", "recategorise") and not visibility.office_reports(
            request.user).filter(pk=report.pk).exists():
        return redirect("backoffice:inbox")  # it left this desk's sight
    if request.POST.get("view") == "task":
        if action in ("resolve", "handback"):
            return redirect("backoffice:tasks")
        return redirect("backoffice:task", ticket=ticket)
    return _back(request, ticket)


# --- Officer tasks ------------------------------------------------------------------------

@staff_required
def tasks(request):
    now = timezone.now()
    qs = (access.my_tasks(request.user)
          .select_related("category", "kelurahan", "kecamatan")
          .only("ticket", "status", "priority", "due_at", "sla_paused_at", "address",
                "scheduled_for",
                "category__name_id", "category__name_en", "kelurahan__name", "kecamatan__name")
          .order_by(F("due_at").asc(nulls_last=True), "priority", "pk"))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "backoffice/tasks.html", {"page": page, "now": now})



# --- Call centre -------------------------------------------------------------------------

PHONE_DESK_ROLES = (AccountRole.DISPATCHER, AccountRole.HEAD, AccountRole.ADMIN)


def _float(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


@staff_required
def phone_desk(request):
    """The call centre: the desk enters a report for a caller (source "phone"). The caller's
    name and number are the report's private contact (never on public pages, Open311, open
    data or the transparency page); the caller gets the ticket by SMS (notifications)."""
    user = request.user
    if not (user.is_city_admin or user.role in PHONE_DESK_ROLES):
        raise PermissionDenied
    city = office_city(request)
    categories = list(Category.objects.filter(city=city, is_active=True)
                      .select_related("agency").order_by("name_id"))
    code = request.POST.get("category") or request.GET.get("category") or ""
    category = next((c for c in categories if c.code == code), None)
    kelurahan = list(Area.objects.filter(city=city, level="kelurahan")
                     .only("pk", "name", "centroid_lat", "centroid_lng").order_by("name"))
    errors: dict = {}
    if request.method == "POST" and category is not None:
        now = timezone.now()
        area = next((a for a in kelurahan if str(a.pk) == request.POST.get("kelurahan")), None)
        lat, lng = _float(request.POST.get("lat")), _float(request.POST.get("lng"))
        if (lat is None or lng is None) and area is not None:
            lat, lng = area.centroid_lat, area.centroid_lng
        if lat is None or lng is None:
            errors["kelurahan"] = [_("Pilih kelurahan atau isi titik lokasi.")]
        elif not (request.POST.get("phone") or "").strip():
            errors["phone"] = [_("Isi nomor HP penelepon untuk mengirim nomor tiket.")]
        else:
            data = services.NewReport(
                category=category, lat=lat, lng=lng,
                description=request.POST.get("description", ""),
                address=request.POST.get("address", "")[:300],
                answers=services.answers_from_form(request.POST, category),
                contact=services.Contact(name=request.POST.get("name", "").strip()[:120],
                                         phone=request.POST.get("phone", "").strip()),
                source=Report.Source.PHONE, origin={"desk": user.pk})
            try:
                created = services.create_report(
                    city, data, now=now, idempotency=(f"phone:{user.pk}", request.POST.get(
                        "key", "")[:120]) if request.POST.get("key") else None)
            except ValidationError as exc:
                errors = exc.message_dict
            else:
                messages.success(request, _("Laporan %(t)s dibuat; nomor tiket dikirim ke "
                                            "penelepon lewat SMS.") % {"t": created.report.ticket})
                return redirect("backoffice:report", ticket=created.report.ticket)
    return render(request, "backoffice/phone.html", {
        "categories": categories, "category": category, "kelurahan": kelurahan,
        "attributes": list(category.attributes.all()) if category else [],
        "errors": errors, "posted": request.POST if request.method == "POST" else {},
        "key": secrets.token_urlsafe(12)}, status=400 if errors else 200)


# --- The officer's phone: service worker ------------------------------------------------

OFFICE_STATIC = Path(__file__).resolve().parent.parent.parent / "static"
# What a task page needs without signal, beyond the pages themselves.
FIELD_SHELL = ("backoffice/office.css", "backoffice/office.js", "backoffice/field.js",
               "backoffice/officer.js", "shared/outbox.js", "citizen/photo.js",
               "vendor/htmx/htmx.min.js", "vendor/leaflet/leaflet.js",
               "vendor/leaflet/leaflet.css", "citizen/icons/icon-192.png")


@lru_cache(maxsize=1)
def _office_sw_version() -> str:
    digest = hashlib.sha256((OFFICE_STATIC / "backoffice" / "sw.js").read_bytes())
    for name in FIELD_SHELL:
        digest.update((OFFICE_STATIC / name).read_bytes())
    return digest.hexdigest()[:12]


@cache_control(no_cache=True, max_age=0)
def office_service_worker(request):
    """The office's service worker at /office/sw.js, allowed to control /office/: the
    officer's task pages without signal, and (importing it) the duty app's web push."""
    version = _office_sw_version() if not settings.DEBUG else _office_sw_version.__wrapped__()
    offline = render_to_string("backoffice/offline.html", request=request)
    body = (f"const VERSION = {json.dumps(version)};\n"
            f"const SHELL = {json.dumps([static(name) for name in FIELD_SHELL])};\n"
            f"const PUSH = {json.dumps(reverse('duty:service_worker'))};\n"
            f"const OFFLINE = {json.dumps(offline)};\n"
            + (OFFICE_STATIC / "backoffice" / "sw.js").read_text(encoding="utf-8"))
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/office/"
    return response


def _regions_posted(post, photo) -> list[dict]:
    """Return the photo's regions less those ticked for removal, plus those drawn (each
    "x,y,w,h" in the photo's pixels, from static/backoffice/blur.js)."""
    remove = {text.as_id(v) for v in post.getlist("remove")}
    kept = [r for i, r in enumerate(photo.blur_regions) if i not in remove]
    added = []
    for value in post.getlist("add"):
        try:
            x, y, w, h = (float(v) for v in value.split(","))
        except ValueError:
            raise ValidationError({"regions": _("Area samaran tidak terbaca.")}) from None
        added.append({"x": x, "y": y, "w": w, "h": h, "kind": "other", "source": "hand"})
    return kept + added


@staff_required
def photo_blur(request, ticket, photo_id):
    """The regions blurred in a photo's public copy: see them over the original, tick one
    to remove it, draw one to add it (decision 0013)."""
    report = report_for_staff(request, ticket)
    photo = Photo.objects.filter(pk=photo_id, report=report).first()
    if photo is None:
        raise Http404
    may_edit = access.role_for(request, report) in workflow.DESK
    error = ""
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        try:
            services.set_blur_regions(photo.pk, _regions_posted(request.POST, photo),
                                      actor=request.user, now=timezone.now())
        except ValidationError as exc:
            error = " ".join(m for ms in exc.message_dict.values() for m in ms)
        else:
            messages.success(request, _("Area samaran disimpan. Foto publik dibuat ulang."))
            return redirect("backoffice:photo_blur", ticket=report.ticket, photo_id=photo.pk)
    regions = [{**r, "n": i, "left": 100 * r["x"] / max(1, photo.width),
                "top": 100 * r["y"] / max(1, photo.height),
                "width": 100 * r["w"] / max(1, photo.width),
                "height": 100 * r["h"] / max(1, photo.height)}
               for i, r in enumerate(photo.blur_regions)]
    return render(request, "backoffice/photo_blur.html", {
        "report": report, "photo": photo, "regions": regions, "may_edit": may_edit,
        "error": error, "posted_add": request.POST.getlist("add") if error else [],
    }, status=400 if error else 200)
