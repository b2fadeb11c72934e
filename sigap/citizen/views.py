"""Citizen pages: report a problem, follow it, see the city's reports, and the PWA files.

Views are thin: they read the clock once, call sigap.reports.services, and render.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from sigap.agencies.models import Category, CategoryAttribute
from sigap.cities.locate import NoCityHere, OutsideCity, city_at, locate
from sigap.cities.timezones import zone_of
from sigap.cities.middleware import public_city
from sigap.cities.models import Area, City
from sigap.citizen.forms import (
    CommentForm, ConfirmForm, FilterForm, ReportForm, check_uploads, new_submission_key,
)
from sigap.citizen import limits
from sigap.lib.text import as_id
from sigap.citizen.timeline import entries
from sigap.recognition import services as recognition
from sigap.reports import privacy, queries, services
from sigap.reports.models import SHOWN, Flag, IdempotencyKey, Photo, Report
from sigap.reports.services.moderation import HELD_MESSAGE
from sigap.reports.workflow import OPEN, Action, Role, Status, TransitionError

NEARBY_RADIUS_M = 100
SUPPORTER_COOKIE = "sigap_sk"
PAGE_SIZE = 20
MAP_LIMIT = 500
STATIC_DIR = Path(__file__).resolve().parent.parent.parent / "static" / "citizen"
# The report form script's own words (json_script escapes them safely).
JS_TEXT = {
    "chooseCategory": gettext_lazy("Pilih kategori masalah."),
    "choosePlace": gettext_lazy(
        "Tentukan lokasi: ketuk peta, pakai lokasi saya, atau pilih kelurahan."),
    "outside": gettext_lazy("Lokasi di luar kota. Geser penanda ke dalam kota."),
    "needText": gettext_lazy("Tuliskan keterangan singkat atau lampirkan foto."),
    "notImage": gettext_lazy("Berkas ini bukan foto (JPEG, PNG atau WebP)."),
    "tooManyPixels": gettext_lazy(
        "Resolusi foto terlalu besar (maksimal 40 megapiksel)."),
    "tooMany": gettext_lazy("Paling banyak 3 foto."),
    "remove": gettext_lazy("Hapus foto"),
    "gpsFail": gettext_lazy(
        "Lokasi HP tidak bisa dibaca. Ketuk peta untuk memilih lokasi."),
    "locating": gettext_lazy("Mencari lokasi…"),
    "in": gettext_lazy("Kelurahan"),
    "kec": gettext_lazy("Kec."),
    "support": gettext_lazy("Saya juga"),
    "supported": gettext_lazy("Didukung"),
    "sending": gettext_lazy("Mengirim…"),
    "send": gettext_lazy("Kirim laporan"),
    "chars": gettext_lazy("karakter"),
    "tooLong": gettext_lazy("Keterangan terlalu panjang: persingkat sampai 4000 karakter. "
                            "Tidak ada yang dipotong."),
    "supports": gettext_lazy("dukungan"),
    "m": "m",
}


def current_city(request) -> City:
    """The city whose public face this host name shows (decision 0016)."""
    return public_city(request)


def wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


# --- Home ------------------------------------------------------------------------------

def home(request):
    city = current_city(request)
    recent = Report.objects.public().filter(city=city).for_list()[:5]
    return render(request, "citizen/home.html", {"recent": recent})


def find_ticket(request):
    """Go to the report whose ticket the citizen typed (works without JavaScript)."""
    ticket = (request.GET.get("tiket") or "").strip().upper()
    if ticket and Report.objects.filter(ticket=ticket).exists():
        return redirect("citizen:track", ticket)
    messages.error(request, _("Nomor tiket tidak ditemukan. Periksa lagi, contoh: "
                              "KPG-2026-000123."))
    return redirect("citizen:home")


# --- Report a problem --------------------------------------------------------------------

def _categories(city):
    """Return the active categories with their extra questions, in display order."""
    return list(
        Category.objects.filter(city=city, is_active=True)
        .prefetch_related(Prefetch("attributes", CategoryAttribute.objects.order_by("order")))
    )


def _grouped(categories):
    """Return (group name, categories) pairs, the emergencies first in a group of their own."""
    groups: dict[str, list] = {_("Darurat"): []}
    for cat in categories:
        name = _("Darurat") if cat.is_emergency else (cat.group_name or _("Lainnya"))
        groups.setdefault(name, []).append(cat)
    return [(name, cats) for name, cats in groups.items() if cats]


def _error_dict(form, extra: dict) -> dict[str, list[str]]:
    errors = {name: [str(m) for m in msgs] for name, msgs in form.errors.items()}
    for name, msgs in extra.items():
        if name == "location":
            name = "lat"
        errors.setdefault(name, []).extend(str(m) for m in msgs)
    return errors


def report_new(request):
    """The report form: three steps with JavaScript, one plain form without it."""
    city = current_city(request)
    categories = _categories(city)
    by_code = {c.code: c for c in categories}
    errors: dict[str, list[str]] = {}
    refused = None
    if request.method == "POST":
        data = request.POST.copy()
        header_key = request.headers.get("X-Idempotency-Key")
        if header_key and not data.get("key"):
            data["key"] = header_key
        form = ReportForm(data, city=city)
        files = request.FILES.getlist("photos")
        service_errors: dict = {}
        upload_error = check_uploads(files)
        if upload_error:
            service_errors["photos"] = [upload_error]
        if form.is_valid() and not service_errors:
            d = form.cleaned_data
            category = by_code[d["category"].code]
            anonymous = d["anonymous"]
            new = services.NewReport(
                category=category, lat=d["lat"], lng=d["lng"], description=d["description"],
                answers=services.answers_from_form(request.POST, category), address=d["address"],
                photos=[f.read() for f in files],
                reporter=None if anonymous else request.user,
                is_anonymous=anonymous, is_public=not d["confidential"],
                # Anonymous means no name and no contact at all, even if some were typed.
                contact=services.Contact() if anonymous else services.Contact(
                    name=d["contact_name"], phone=d["contact_phone"], email=d["contact_email"]),
                source=Report.Source.WEB)
            # The key is this browser's (its session): another client sending the same key
            # is another report, never the first one's private link.
            known = limits.device_id(request, create=False)
            scope = ("web:" + limits.device_id(request), d["key"])
            now = timezone.now()
            replay = bool(known) and IdempotencyKey.objects.filter(
                scope=scope[0], key=scope[1]).exists()
            refused = None if replay else limits.refusal(
                request, known, d["description"], now=now.timestamp())
            if refused is not None:
                if wants_json(request):
                    return _too_many(refused)
                service_errors = {"limit": [refused.message]}
            else:
                try:
                    created = services.create_report(city, new, now=now, idempotency=scope)
                except ValidationError as exc:
                    service_errors = exc.message_dict
                else:
                    if not created.replayed:
                        limits.count(request, known, d["description"],
                                     now=now.timestamp())
                    report = created.report
                    sent = reverse("citizen:sent", args=[report.ticket]) + \
                        f"?k={report.tracking_key}"
                    if wants_json(request):
                        return JsonResponse({
                            "ok": True, "ticket": report.ticket, "replayed": created.replayed,
                            "tracking_url": report.tracking_url(), "sent_url": sent})
                    return redirect(sent)
        errors = _error_dict(form, service_errors)
        if wants_json(request):
            return JsonResponse({"ok": False, "errors": errors}, status=400)
        selected = by_code.get(request.POST.get("category", ""))
        values = request.POST
    else:
        limits.device_id(request)  # before the first post, so that a lost answer replays
        form = ReportForm(initial={"key": new_submission_key()}, city=city)
        selected = by_code.get(request.GET.get("kategori", ""))
        user = request.user
        values = {"contact_name": user.display_name or user.get_full_name(),
                  "contact_phone": user.phone, "contact_email": user.email,
                  } if user.is_authenticated else {}
    response = render(request, "citizen/report_form.html", {
        "form": form, "groups": _grouped(categories), "categories": categories,
        "selected": selected, "errors": errors, "values": values,
        "attribute_values": services.answers_from_form(request.POST, selected)
        if request.method == "POST" else {},
        "posted": request.method == "POST",
        "map_config": _map_config(city),
        "emergency_numbers": city.emergency_numbers, "js_text": JS_TEXT,
    }, status=429 if refused else 400 if errors else 200)
    if refused:
        response["Retry-After"] = str(refused.retry_after)
    return response


def _too_many(refused) -> HttpResponse:
    """Answer 429 with Retry-After; the page's outbox keeps the report and sends it later."""
    response = JsonResponse({"ok": False, "retry_after": refused.retry_after,
                             "errors": {"limit": [refused.message]}}, status=429)
    response["Retry-After"] = str(refused.retry_after)
    return response


def _map_config(city) -> dict:
    return {
        "center": [city.center_lat, city.center_lng], "zoom": city.zoom,
        "bounds": city.bounds if city.min_lat is not None else None,
        "boundary": city.boundary, "tiles": settings.SIGAP_TILE_URL,
        "attribution": settings.SIGAP_TILE_ATTRIBUTION,
    }


def report_sent(request, ticket):
    """The confirmation: the ticket and the private link (shown only with the key)."""
    report = get_object_or_404(Report.objects.select_related("category"), ticket=ticket)
    if not _has_key(request, report):
        return redirect(report.get_absolute_url())
    link = request.build_absolute_uri(report.tracking_url())
    with timezone.override(zone_of(report.city_id)):  # each city in its own time
        return render(request, "citizen/report_sent.html",
                      {"report": report, "private_link": link})


@require_GET
def locate_json(request):
    """Return the kelurahan and kecamatan at a point, or why the point cannot be used."""
    city = current_city(request)
    try:
        lat, lng = float(request.GET["lat"]), float(request.GET["lng"])
        # The point decides the city (routing by place, docs/decisions/0012).
        city = city_at(lat, lng)
        located = locate(city, lat, lng)
    except NoCityHere as exc:
        city = exc.nearest or city
        return JsonResponse({"ok": False, "error": _(
            "Lokasi berada di luar wilayah %(city)s. Geser penanda ke dalam kota.")
            % {"city": city.name}})
    except (KeyError, ValueError, OutsideCity):
        return JsonResponse({"ok": False, "error": _(
            "Lokasi berada di luar wilayah %(city)s. Geser penanda ke dalam kota.")
            % {"city": city.name}})
    names = dict(Area.objects.filter(pk__in=[located.kelurahan_id, located.kecamatan_id])
                 .values_list("pk", "name"))
    return JsonResponse({"ok": True, "kelurahan": names.get(located.kelurahan_id, ""),
                         "kecamatan": names.get(located.kecamatan_id, ""),
                         "city": city.code, "city_name": city.name})


@require_GET
def nearby_json(request):
    city = current_city(request)
    category = Category.objects.filter(city=city, code=request.GET.get("category", "")).first()
    try:
        lat, lng = float(request.GET["lat"]), float(request.GET["lng"])
    except (KeyError, ValueError):
        return JsonResponse({"reports": []})
    if category is None or category.is_sensitive:
        # Sensitive reports never reveal where they are, not even as a distance.
        return JsonResponse({"reports": []})
    out = []
    for distance, report in queries.nearby(city, lat, lng, radius_m=NEARBY_RADIUS_M,
                                           categories=[category], limit=5):
        out.append({
            "ticket": report.ticket, "url": report.get_absolute_url(),
            "support_url": reverse("citizen:support", args=[report.ticket]),
            "description": report.description[:140],
            "status": str(report.get_status_display()), "distance": round(distance),
            "supports": report.support_count,
            "created": timezone.localtime(report.created_at, city.tz).strftime("%d/%m/%Y"),
        })
    return JsonResponse({"reports": out})


# --- Following a report ---------------------------------------------------------------------

def _has_key(request, report) -> bool:
    key = request.POST.get("k") or request.GET.get("k") or ""
    return bool(key) and constant_time_compare(key, report.tracking_key)


def is_reporter(request, report) -> bool:
    """Return whether the request comes from the report's reporter (account or private key)."""
    if request.user.is_authenticated and report.reporter_id == request.user.pk:
        return True
    return _has_key(request, report)


def _viewable(request, ticket) -> Report:
    report = get_object_or_404(Report.objects.for_list().select_related("city"), ticket=ticket)
    hidden = not report.is_public or report.status == Status.REJECTED
    if hidden and not is_reporter(request, report):
        raise Http404
    return report


# The tracking page's buttons: the reporter's answer to "Sudah beres?" (by account or private
# link), and what any visitor or account may do. Which show is the state machine's answer.
REPORTER_ACTIONS = (Action.CLOSE, Action.REOPEN, Action.RATE)
VISITOR_ACTIONS = (Action.SUPPORT, Action.COMMENT)


def track(request, ticket):
    report = _viewable(request, ticket)
    reporter = is_reporter(request, report)
    actions = services.actions_for(request.user, report, among=VISITOR_ACTIONS)
    if reporter:
        actions |= services.actions_for(None, report, role=Role.REPORTER,
                                        among=REPORTER_ACTIONS)
    events = report.events.filter(SHOWN, is_public=True).select_related("agency")
    view = privacy.view_for(report, is_reporter=reporter)
    photos = privacy.photo_links(report, view, report.photos.select_related("moderation"))
    report_photos = [p for p in photos if p.kind == Photo.Kind.REPORT]
    proof_photos = [p for p in photos if p.kind == Photo.Kind.PROOF] if view.details else []
    lat, lng = privacy.location(report, view)
    # Every time on the page in the report's city's zone (Jayapura: WIT), not the server's.
    with timezone.override(zone_of(report.city_id)):
        return render(request, "citizen/track.html", {
            "report": report, "timeline": entries(events), "is_reporter": reporter,
            "key": request.GET.get("k", "") if reporter else "",
            "report_photos": report_photos, "proof_photos": proof_photos,
            "actions": actions,
            "comment_form": CommentForm(), "point": {"lat": lat, "lng": lng},
            "map_config": _map_config(report.city),
            "stars": range(5, 0, -1), "flag_reasons": Flag.Reason.choices,
            "city": report.city,  # the page's name and numbers are the report's city's
        })


def _supporter_key(request) -> tuple[str, bool]:
    key = request.COOKIES.get(SUPPORTER_COOKIE, "")
    if len(key) >= 16 and key.isalnum():
        return f"c{key}", False
    return "", True


@require_POST
def support(request, ticket):
    """Add one "saya juga" from this person (account, or a key kept in a cookie)."""
    report = get_object_or_404(Report.objects.public(), ticket=ticket)
    key, fresh = _supporter_key(request)
    cookie = None
    if fresh:
        cookie = secrets.token_hex(16)
        key = f"c{cookie}"
    try:
        added = services.support(report.pk, supporter_key=key, user=request.user,
                                 now=timezone.now())
    except TransitionError as exc:
        if wants_json(request):
            return JsonResponse({"ok": False, "message": exc.message}, status=409)
        messages.error(request, exc.message)
        return redirect(report.get_absolute_url())
    count = Report.objects.values_list("support_count", flat=True).get(pk=report.pk)
    message = _("Terima kasih, dukungan Anda tercatat.") if added else _(
        "Anda sudah mendukung laporan ini.")
    if wants_json(request):
        response = JsonResponse({"ok": True, "added": added, "count": count,
                                 "message": message})
    else:
        messages.success(request, message)
        response = redirect(report.get_absolute_url())
    if cookie:
        response.set_cookie(SUPPORTER_COOKIE, cookie, max_age=3 * 365 * 24 * 3600,
                            httponly=True, samesite="Lax")
    return response


@require_POST
def comment(request, ticket):
    report = get_object_or_404(Report.objects.public(), ticket=ticket)
    if not request.user.is_authenticated:
        messages.error(request, _("Masuk dulu untuk menulis komentar."))
        return redirect(f"{reverse('accounts:signin')}?next={report.get_absolute_url()}")
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            event = services.add_comment(report.pk, actor=request.user, now=timezone.now(),
                                         text=form.cleaned_data["text"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if event.held_for:
                messages.info(request, str(HELD_MESSAGE))
                # The notice is at the top of the page: open there, where it is read.
                return redirect(report.get_absolute_url() + "#main")
            else:
                messages.success(request, _("Komentar terkirim."))
    else:
        messages.error(request, " ".join(m for ms in form.errors.values() for m in ms))
    return redirect(report.get_absolute_url() + "#komentar")


@require_POST
def flag(request, ticket):
    """Flag a public comment or photo of this report (once per account or browser; visitors
    rate-limited by address)."""
    report = get_object_or_404(Report.objects.public(), ticket=ticket)
    kind, pk = request.POST.get("kind", ""), request.POST.get("id", "")
    if request.user.is_authenticated:
        flagger = f"u:{request.user.pk}"
    else:
        refused = limits.flag_refusal(request, now=time.time())
        if refused:
            messages.error(request, refused.message)
            return redirect(report.get_absolute_url() + "#main")  # the answer shows on top
        flagger = f"d:{limits.device_id(request)}"
    try:
        _row, added = services.flag(kind, as_id(pk) or 0, flagger=flagger,
                                    user=request.user, reason=request.POST.get("reason", ""),
                                    now=timezone.now())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if not request.user.is_authenticated and added:
            limits.count_flag(request, now=time.time())
        messages.success(request, _("Terima kasih. Petugas kota akan meninjaunya.") if added
                         else _("Anda sudah melaporkan konten ini. Terima kasih."))
    return redirect(report.get_absolute_url() + "#main")  # the answer shows on top


@require_POST
def confirm(request, ticket):
    """The reporter answers "Sudah beres?": yes closes and rates, no reopens with a reason."""
    report = get_object_or_404(Report, ticket=ticket)
    if not is_reporter(request, report):
        raise Http404
    back = report.tracking_url() if _has_key(request, report) else report.get_absolute_url()
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Pilih jawaban: sudah beres atau belum."))
        return redirect(back)
    d = form.cleaned_data
    actor = request.user if request.user.is_authenticated and \
        report.reporter_id == request.user.pk else None
    try:
        services.reporter_confirms(
            report.pk, fixed=d["fixed"] == "yes", now=timezone.now(), actor=actor,
            reason=d["reason"], stars=d["stars"], comment=d["comment"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except TransitionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Terima kasih! Laporan ditutup.") if d["fixed"] == "yes"
                         else _("Laporan dibuka kembali dan dikirim lagi ke petugas."))
    return redirect(back)


# --- The city's reports --------------------------------------------------------------------

def _filtered(request, city):
    form = FilterForm(request.GET or None, city=city)
    qs = Report.objects.public().filter(city=city).for_list()
    return form, form.apply(qs, city.tz) if request.GET else qs


def reports(request):
    city = current_city(request)
    form, qs = _filtered(request, city)
    page = Paginator(qs.order_by("-created_at"), PAGE_SIZE).get_page(request.GET.get("hal"))
    params = request.GET.copy()
    params.pop("hal", None)
    return render(request, "citizen/reports.html", {
        "form": form, "page": page, "query": params.urlencode(),
        "map_config": _map_config(city),
        # Without the map's script: a circle at the city's centre (the script aims it).
        "follow_query": f"lat={city.center_lat:.6f}&lng={city.center_lng:.6f}&r=3000",
        "geojson_url": reverse("citizen:reports_geojson") + (
            f"?{params.urlencode()}" if params else ""),
    })


def reports_geojson(request):
    """Return the filtered public reports as GeoJSON points (public locations only)."""
    city = current_city(request)
    _form, qs = _filtered(request, city)
    features = []
    for report in qs.order_by("-created_at")[:MAP_LIMIT]:
        lat, lng = report.public_location()
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lng, lat]},
            "properties": {"ticket": report.ticket, "url": report.get_absolute_url(),
                           "category": report.category.name,
                           "status": str(report.get_status_display()),
                           "open": report.status in OPEN},
        })
    return JsonResponse({"type": "FeatureCollection", "features": features})


@login_required
def my_reports(request):
    qs = Report.objects.filter(reporter=request.user).for_list().order_by("-created_at")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("hal"))
    return render(request, "citizen/my_reports.html", {
        "page": page, "standing": recognition.standing(request.user, current_city(request))})


@login_required
@require_POST
def show_name(request):
    """The citizen allows (or no longer allows) their name on the public board."""
    recognition.set_show_name(request.user, request.POST.get("show_name") == "on")
    messages.success(request, _("Pilihan Anda disimpan."))
    return redirect(reverse("citizen:mine") + "#penghargaan")


def device_reports(request):
    """Reports remembered on this device (localStorage), for people without an account."""
    return render(request, "citizen/device_reports.html")


# --- PWA -----------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _sw_source() -> tuple[str, str]:
    source = (STATIC_DIR / "sw.js").read_text(encoding="utf-8")
    shell = [STATIC_DIR / name for name in ("app.css", "app.js", "photo.js", "report.js",
                                            "suggest.js", "icons.svg")]
    shell.append(STATIC_DIR.parent / "shared" / "outbox.js")  # the outbox (decision 0003)
    digest = hashlib.sha256(source.encode())
    for path in shell:
        digest.update(path.read_bytes())
    return source, digest.hexdigest()[:12]


@cache_control(no_cache=True, max_age=0)
def service_worker(request):
    source, version = _sw_source() if not settings.DEBUG else _sw_source.__wrapped__()
    shell = [reverse("citizen:home"), reverse("citizen:offline"),
             f"{settings.STATIC_URL}citizen/app.css", f"{settings.STATIC_URL}shared/outbox.js",
             f"{settings.STATIC_URL}citizen/app.js",
             f"{settings.STATIC_URL}citizen/photo.js", f"{settings.STATIC_URL}citizen/report.js",
             f"{settings.STATIC_URL}citizen/suggest.js", f"{settings.STATIC_URL}citizen/icons.svg",
             f"{settings.STATIC_URL}vendor/leaflet/leaflet.js",
             f"{settings.STATIC_URL}vendor/leaflet/leaflet.css"]
    body = (f"const VERSION = {json.dumps(version)};\n"
            f"const SHELL = {json.dumps(shell)};\n" + source)
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


@cache_control(max_age=86400)
def manifest(request):
    city = City.default()
    icons = f"{settings.STATIC_URL}citizen/icons/"
    data = {
        "name": _("Sigap %(city)s") % {"city": city.name} if city else "Sigap",
        "short_name": "Sigap",
        "description": _("Laporkan masalah kota dan pantau penanganannya."),
        "lang": "id", "start_url": "/?src=pwa", "scope": "/", "display": "standalone",
        "background_color": "#ffffff", "theme_color": "#0b5394",
        "icons": [
            {"src": f"{icons}icon-192.png", "sizes": "192x192", "type": "image/png"},
            {"src": f"{icons}icon-512.png", "sizes": "512x512", "type": "image/png"},
            {"src": f"{icons}maskable-512.png", "sizes": "512x512", "type": "image/png",
             "purpose": "maskable"},
        ],
    }
    return HttpResponse(json.dumps(data, ensure_ascii=False),
                        content_type="application/manifest+json")


def offline(request):
    return render(request, "citizen/offline.html")
