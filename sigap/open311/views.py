"""Open311 GeoReport v2 endpoints. Thin: parsing and mapping live in adapter.py."""

from __future__ import annotations

import functools

from django.conf import settings
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.db import transaction
from django.http import JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import throttling

from sigap.agencies.models import Category
from sigap.cities.models import City
from sigap.lib import memo, text
from sigap.lib.clientip import client_ip
from sigap.open311 import adapter, keys, readcache, render
from sigap.open311.adapter import Problem, get
from sigap.open311.models import RequestMeta
from sigap.open311.openapi import openapi_document
from sigap.reports import nearby, services
from sigap.reports.models import Report

# Service Discovery: when this endpoint's behaviour last changed (must lie in the past).
CHANGESET = "2026-11-01T00:00:00+08:00"


class ReadThrottle(throttling.SimpleRateThrottle):
    """The REST API's rule for Open311's reads: so many per minute from one address
    (SIGAP_THROTTLE_OPEN311, as SIGAP_THROTTLE_ANON for REST); writes have their key's budget."""

    scope = "open311"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request)}


def _throttled(request, fmt):
    throttle = ReadThrottle()
    if throttle.allow_request(request, None):
        return None
    wait = max(1, int(throttle.wait() or 60))
    return render.errors(fmt, 429, [(429, _(
        "Terlalu banyak permintaan; coba lagi dalam %(s)d detik.") % {"s": wait})],
        headers={"Retry-After": str(wait)})


def endpoint(*methods):
    """Wrap an Open311 view: format, method, jurisdiction and errors in the spec's shape."""

    def decorate(view):
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request, fmt, **kwargs):
            if fmt not in render.FORMATS:
                return render.errors("xml", 404, [(404, _(
                    "Format tidak dikenal: pakai .xml atau .json."))])
            if request.method not in methods:
                response = render.errors(fmt, 405, [(405, _(
                    "Metode tidak diizinkan."))])
                response["Allow"] = ", ".join(methods)
                return response
            if request.method == "POST":
                try:
                    request.POST, request.FILES  # noqa: B018 - parse now, answer in format
                except (SuspiciousOperation, MultiPartParserError):
                    return render.errors(fmt, 400, [(400, _(
                        "Isi permintaan tidak bisa dibaca atau terlalu besar."))])
                bad = text.first_control(request.POST)
                if bad is not None:
                    return render.errors(fmt, 400, [(400, _(
                        "Karakter kontrol tidak diizinkan di %(name)s.") % {"name": bad})])
            try:
                params = request.POST if request.method == "POST" else request.GET
                city = _city(get(params, "jurisdiction_id") or get(request.GET, "jurisdiction_id"))
                if request.method == "GET":
                    refused = _throttled(request, fmt)
                    if refused is not None:
                        return refused
                    return readcache.answer(request, lambda: view(request, fmt, city, **kwargs))
                return view(request, fmt, city, **kwargs)
            except Problem as problem:
                return render.errors(fmt, problem.status, problem.items,
                                     headers=getattr(problem, "headers", None))

        return wrapper

    return decorate


_JURISDICTIONS = memo.configuration()


def _jurisdictions() -> list[City]:
    """The active cities, each one jurisdiction (its pack code), kept like the configuration."""
    return _JURISDICTIONS.get("all", lambda: list(
        City.objects.filter(is_active=True).defer("boundary").order_by("code")))


def _city(jurisdiction_id: str) -> City:
    """Return the jurisdiction's city: a wrong jurisdiction_id is a 404; a missing one is the
    default city (SIGAP_CITY), so that single-city clients keep working; a new request
    without one goes by its point (docs/open311.md, decision 0012)."""
    if jurisdiction_id:
        known = _jurisdictions()
        city = next((c for c in known if c.code == jurisdiction_id), None)
        if city is None:
            raise Problem(_("jurisdiction_id tidak dikenal: pakai salah satu dari %(codes)s.")
                          % {"codes": ", ".join(c.code for c in known)}, status=404)
        return city
    city = City.default_cached()
    if city is None:
        raise Problem(_("Kota belum dikonfigurasi."), status=400)
    return city


@endpoint("GET")
def discovery(request, fmt, city):
    base = request.build_absolute_uri("/open311/v2/")
    value = {
        "changeset": CHANGESET,
        "contact": _("%(city)s — %(email)s") % {"city": city.name,
                                                 "email": settings.DEFAULT_FROM_EMAIL},
        "key_service": _("Kunci API untuk POST diterbitkan oleh admin kota (%(email)s).")
        % {"email": settings.DEFAULT_FROM_EMAIL},
        # An extension: the jurisdictions this endpoint serves, one per city pack.
        "jurisdictions": [{"jurisdiction_id": c.code, "name": c.name, "timezone": c.timezone}
                          for c in _jurisdictions()],
        "endpoints": [{
            "specification": "http://wiki.open311.org/GeoReport_v2",
            "url": base,
            "changeset": CHANGESET,
            "type": "production" if settings.PRODUCTION else "test",
            "formats": ["text/xml", "application/json"],
        }],
    }
    return render.respond(fmt, "discovery", value)


@endpoint("GET")
def service_list(request, fmt, city):
    value = [adapter.service(c) for c in adapter.services_queryset(city)]
    return render.respond(fmt, "services", value)


@endpoint("GET")
def service_definition(request, fmt, city, code):
    category = adapter.services_queryset(city).filter(code=code).prefetch_related(
        "attributes").first()
    if category is None:
        raise Problem(_("service_code tidak dikenal."), status=404)
    return render.respond(fmt, "service_definition", adapter.service_definition(category))


@endpoint("GET", "POST")
def requests(request, fmt, city):
    if request.method == "POST":
        return _create(request, fmt, city)
    now = timezone.now()
    extensions = get(request.GET, "extensions").lower() == "true"
    page = adapter.integer(request.GET, "page", default=1, low=1, high=adapter.MAX_PAGE)
    size = adapter.integer(request.GET, "page_size", default=0, low=1,
                           high=adapter.MAX_PAGE_SIZE) or adapter.integer(
        request.GET, "per_page", default=adapter.DEFAULT_PAGE_SIZE, low=1,
        high=adapter.MAX_PAGE_SIZE)
    base = adapter.requests_queryset(extensions=extensions)
    around = adapter.circle(request.GET)
    if around is None or get(request.GET, "service_request_id"):
        qs = adapter.filter_requests(base, request.GET, city, now)
        rows = adapter.load(qs.order_by("-created_at", "-pk")[(page - 1) * size:
                                                             page * size + 1], city)
    else:
        # Newest first within the circle, reading about as many rows as the page needs.
        lean = adapter.filter_requests(Report.objects.public(), request.GET, city, now,
                                       with_circle=False)
        ids = nearby.newest_within(lean, *around, count=page * size + 1)[(page - 1) * size:]
        by_id = {r.pk: r for r in adapter.load(base.filter(pk__in=ids), city)}
        rows = [by_id[pk] for pk in ids if pk in by_id]
    headers = {}
    if len(rows) > size:
        rows = rows[:size]
        query = request.GET.copy()
        query["page"] = str(page + 1)
        next_url = request.build_absolute_uri(f"{request.path}?{urlencode(query, doseq=True)}")
        headers = {"X-Next-Page-URL": next_url, "Link": f'<{next_url}>; rel="next"'}
    uri = request.build_absolute_uri
    value = [adapter.request(r, city, uri, extensions=extensions) for r in rows]
    return render.respond(fmt, "service_requests", value, headers=headers)


@endpoint("GET")
def request_detail(request, fmt, city, request_id):
    extensions = get(request.GET, "extensions").lower() == "true"
    qs = adapter.requests_queryset(extensions=extensions).filter(ticket=request_id)
    if get(request.GET, "jurisdiction_id"):
        qs = qs.filter(city=city)
    else:  # tickets are unique across cities (each city's prefix): any city's
        found = Report.objects.filter(ticket=request_id).values_list("city_id", flat=True)
        city = next((c for c in _jurisdictions() if c.pk in set(found)), city)
        qs = qs.filter(city=city)
    report = next(iter(adapter.load(qs[:1], city)), None)
    if report is None:
        raise Problem(_("service_request_id tidak ditemukan."), status=404)
    value = [adapter.request(report, city, request.build_absolute_uri, extensions=extensions)]
    return render.respond(fmt, "service_requests", value)


@endpoint("GET")
def token(request, fmt, city, token):
    # Every service is `realtime`: POST returns the service_request_id at once and no token is
    # ever issued, so no token can be looked up.
    raise Problem(_("Token tidak dikenal: semua layanan bertipe realtime, POST langsung "
                    "mengembalikan service_request_id."), status=404)


def _refused(key, now):
    """The key's gate did not open: revoked since it was found (403) or over its rate (429)."""
    if not keys.is_active(key):
        raise Problem(_("api_key tidak ada atau tidak berlaku."),
                      status=403)
    problem = Problem(_("Terlalu banyak permintaan untuk kunci API ini; coba lagi dalam "
                        "satu menit."), status=429)
    problem.headers = {"Retry-After": str(60 - int(now.timestamp()) % 60)}
    raise problem


def _create(request, fmt, city):
    now = timezone.now()
    post = request.POST
    key = keys.find(get(post, "api_key") or get(request.GET, "api_key"))
    if key is None:
        raise Problem(_("api_key tidak ada atau tidak berlaku."),
                      status=403)
    code = get(post, "service_code")
    if not code:
        raise Problem(_("service_code wajib diisi."))
    lat, lng, address = adapter.location(post, city)
    if not (get(post, "jurisdiction_id") or get(request.GET, "jurisdiction_id")):
        # No jurisdiction named: the point decides (routing by place, decision 0012).
        city = services.city_of_point(lat, lng) or city
    category = Category.for_intake(city, code)
    if category is None:
        raise Problem(_("service_code tidak dikenal."), status=404)
    name, phone, email = adapter.contact(post)
    media_url = adapter.media_reference(post)
    files = request.FILES.getlist("media") + request.FILES.getlist("media[]")
    if len(files) > adapter.MAX_MEDIA:
        raise Problem(_("Paling banyak %(n)d foto.")
                      % {"n": adapter.MAX_MEDIA})
    photos = []
    for upload in files:
        if upload.size > settings.SIGAP_MAX_PHOTO_BYTES:
            raise Problem(_("Foto terlalu besar (maksimal 10 MB)."))
        photos.append(upload.read())
    idempotency_key = request.headers.get("Idempotency-Key", "").strip()
    if len(idempotency_key) > 120:
        raise Problem(_("Idempotency-Key paling panjang 120 karakter."))
    data = services.NewReport(
        category=category, lat=lat, lng=lng, description=post.get("description", ""),
        answers=adapter.attributes(post), address=address, photos=photos,
        is_anonymous=not name, contact=services.Contact(name=name, phone=phone, email=email),
        source=Report.Source.OPEN311, external_app=key.name, origin={"api_key": key.pk})
    account_id = get(post, "account_id")[:120]
    device_id = get(post, "device_id")[:120]

    try:
        checked = services.check_report(city, data, now=now)
        with transaction.atomic():  # the key's budget, the report and our metadata, or nothing
            if not keys.charge(key, now):
                _refused(key, now)
            created = services.create_report(
                city, checked, now=now,
                idempotency=(f"open311:{key.pk}", idempotency_key) if idempotency_key else None)
            if created.replayed:  # a retry: nothing new is written, no budget is used
                transaction.set_rollback(True)
            elif media_url or device_id or account_id:  # what Open311 sends beyond our model
                RequestMeta.objects.create(report=created.report, api_key=key,
                                           media_url=media_url, device_id=device_id,
                                           account_id=account_id)
    except ValidationError as exc:
        raise adapter.problems_from(exc) from None
    value = [{
        "service_request_id": created.report.ticket,
        "service_notice": category.notice or None,
        "account_id": account_id or None,
    }]
    return render.respond(fmt, "service_requests", value)


def not_found(request, path=""):
    fmt = "json" if path.endswith(".json") else "xml"
    return render.errors(fmt, 404, [(404, _("Alamat tidak dikenal."))])


def openapi(request):
    return JsonResponse(openapi_document(request.build_absolute_uri("/open311/v2/")))
