"""REST API v1 views: thin; every change goes through sigap.reports.services."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qs, urlencode

from django.contrib.auth import authenticate
from django.core import signing
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, mixins, permissions, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from sigap.accounts import audit, twofactor
from sigap.accounts.models import User
from sigap.agencies.models import Agency, Category, Team
from sigap.api import serializers as s
from sigap.api.filters import ReportFilter
from sigap.cities.middleware import public_city_or_none
from sigap.cities.models import Area, City
from sigap.lib.clientip import client_ip
from sigap.reports import privacy, services, workflow
from sigap.reports.models import SHOWN, Photo, Report, ReportEvent
from sigap.suggest import services as suggester


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "illegal_transition"


def _city(request) -> City:
    """The city this host name serves (decision 0016); the default city elsewhere."""
    city = public_city_or_none(request)
    if city is None:
        raise exceptions.NotFound(_("Kota belum dikonfigurasi."))
    return city


def _drf_error(exc: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        return exceptions.ValidationError(exc.message_dict)
    return exceptions.ValidationError({"detail": exc.messages})


def _client_key(request) -> str:
    """Return a stable key for an anonymous client: its X-Client-Id, else its address."""
    raw = request.headers.get("X-Client-Id", "")[:100] or client_ip(request)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


def _audit_contact(request, report, body) -> None:
    if body.get("contact") is not None:
        audit.record(request.user, audit.CONTACT_VIEWED, f"report:{report.ticket}",
                     timezone.now(), detail={"via": "api"})


class ReportCursor(CursorPagination):
    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100

    # A cursor is signed: one the server did not make (edited, forged, truncated) is refused
    # with a 400 before it reaches a query, instead of a 500 from parsing its position.
    signer = signing.Signer(salt="sigap.api.cursor")

    def encode_cursor(self, cursor):
        tokens = {}
        if cursor.offset != 0:
            tokens["o"] = str(cursor.offset)
        if cursor.reverse:
            tokens["r"] = "1"
        if cursor.position is not None:
            tokens["p"] = cursor.position
        value = self.signer.sign(urlencode(tokens))
        return replace_query_param(self.base_url, self.cursor_query_param, value)

    def decode_cursor(self, request):
        raw = request.query_params.get(self.cursor_query_param)
        if raw is None:
            return None
        try:
            tokens = parse_qs(self.signer.unsign(raw), keep_blank_values=True)
            offset = int(tokens.get("o", ["0"])[0])
            reverse = tokens.get("r", ["0"])[0] == "1"
            position = tokens.get("p", [None])[0]
        except (signing.BadSignature, ValueError):
            raise exceptions.ValidationError(
                {self.cursor_query_param: _("Kursor tidak valid.")}) from None
        return Cursor(offset=max(0, min(offset, self.offset_cutoff)), reverse=reverse,
                      position=position)

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
            raise exceptions.ValidationError(
                {"page_size": _("Harus bilangan bulat positif.")})
        return min(int(raw), self.max_page_size)


ERRORS = {400: OpenApiResponse(description="Invalid input"),
          403: OpenApiResponse(description="Not allowed"),
          404: OpenApiResponse(description="No such report"),
          409: OpenApiResponse(description="Not possible in the report's status")}


class ReportViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Reports: list (public), create, detail by ticket, support, comments, staff actions."""

    lookup_field = "ticket"
    lookup_value_regex = r"[A-Za-z0-9_-]+"
    pagination_class = ReportCursor
    filterset_class = ReportFilter
    serializer_class = s.ReportListSerializer
    queryset = Report.objects.none()  # the schema's model; get_queryset() picks per action

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Report.objects.none()
        if self.action == "mine":
            return Report.objects.filter(reporter=self.request.user).for_list()
        if self.action == "list":
            return Report.objects.public().for_list()
        return Report.objects.for_list().prefetch_related(
            Prefetch("photos", queryset=Photo.objects.select_related("moderation")
                     .order_by("created_at", "pk")),
            Prefetch("events", queryset=ReportEvent.objects.select_related("actor", "moderation")
                     .order_by("at", "pk")))

    def get_object(self):
        report = get_object_or_404(self.get_queryset(), ticket=self.kwargs["ticket"])
        if not privacy.can_view(report, user=self.request.user):
            raise exceptions.NotFound()
        return report

    @extend_schema(request={"multipart/form-data": s.ReportCreateSerializer,
                            "application/json": s.ReportCreateSerializer},
                   parameters=[OpenApiParameter("Idempotency-Key", OpenApiTypes.STR,
                                                OpenApiParameter.HEADER)],
                   responses={201: s.CreatedSerializer, 400: ERRORS[400]})
    def create(self, request):
        now = timezone.now()
        form = s.ReportCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        # The point decides the city (routing by place, docs/decisions/0012); a point in no
        # city is refused by the service, which names the nearest.
        city = services.city_of_point(data["lat"], data["lng"]) or _city(self.request)
        category = Category.objects.select_related("agency").filter(
            city=city, code=data["category"], is_active=True).first()
        if category is None:
            raise exceptions.ValidationError({"category": _("Kategori tidak dikenal.")})
        photos = [f.read() for f in data["photos"] + request.FILES.getlist("photo")]
        # Anonymous means no identity stored anywhere, not even in the replay key's scope.
        user = request.user if request.user.is_authenticated and not data["is_anonymous"] \
            else None
        key = request.headers.get("Idempotency-Key", "").strip()
        if len(key) > 120:
            raise exceptions.ValidationError({"Idempotency-Key": _("Paling panjang 120 karakter.")})
        scope = f"user:{user.pk}" if user else f"anon:{_client_key(request)}"
        new = privacy.strip_identity(services.NewReport(
            category=category, lat=data["lat"], lng=data["lng"],
            description=data["description"], answers=data["answers"], address=data["address"],
            photos=photos, reporter=user, is_anonymous=data["is_anonymous"],
            contact=services.Contact(name=data["contact_name"], phone=data["contact_phone"],
                                     email=data["contact_email"]),
            source=Report.Source.API))
        try:
            created = services.create_report(city, new, now=now,
                                             idempotency=(scope, key) if key else None)
        except DjangoValidationError as exc:
            raise _drf_error(exc) from None
        report = self.get_queryset().get(pk=created.report.pk)
        body = s.CreatedSerializer(report, context=self.get_serializer_context()).data
        headers = {"Idempotent-Replayed": "true"} if created.replayed else {}
        return Response(body, status=status.HTTP_201_CREATED, headers=headers)

    @extend_schema(responses={200: s.ReportDetailSerializer, 404: ERRORS[404]})
    def retrieve(self, request, ticket=None):
        report = self.get_object()
        body = s.ReportDetailSerializer(report, context=self.get_serializer_context()).data
        _audit_contact(request, report, body)
        return Response(body)

    @extend_schema(responses={200: s.ReportListSerializer(many=True), 401: None, 403: None})
    @action(detail=False, permission_classes=[permissions.IsAuthenticated], filterset_class=None)
    def mine(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=None, responses={200: s.SupportResultSerializer, 404: ERRORS[404],
                                            409: ERRORS[409]})
    @action(detail=True, methods=["post"], filterset_class=None,
            permission_classes=[permissions.IsAuthenticated])
    def support(self, request, ticket=None):
        # One support per account: a header or an address chosen by the client could count
        # the same person any number of times.
        report = self.get_object()
        try:
            added = services.support(report.pk, supporter_key="", user=request.user,
                                     now=timezone.now())
        except workflow.IllegalTransition as exc:
            raise Conflict(exc.message) from None
        count = Report.objects.values_list("support_count", flat=True).get(pk=report.pk)
        return Response({"supported": added, "support_count": count})

    @extend_schema(methods=["GET"], request=None,
                   responses={200: s.CommentOutSerializer(many=True), 404: ERRORS[404]})
    @extend_schema(methods=["POST"], request=s.CommentSerializer,
                   responses={201: s.CommentOutSerializer, 202: s.CommentOutSerializer,
                              400: ERRORS[400], 401: None,
                              403: None, 404: ERRORS[404]})
    @action(detail=True, methods=["get", "post"], filterset_class=None, pagination_class=None)
    def comments(self, request, ticket=None):
        report = self.get_object()
        if request.method == "GET":
            comments = ReportEvent.objects.filter(
                SHOWN, report=report, kind=ReportEvent.Kind.COMMENT, is_public=True).order_by(
                "-at", "-pk")[:200]
            return Response(s.CommentOutSerializer(comments, many=True).data)
        if not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        form = s.CommentSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            event = services.add_comment(report.pk, actor=request.user, now=timezone.now(),
                                         text=form.validated_data["text"])
        except DjangoValidationError as exc:
            raise _drf_error(exc) from None
        # A comment with a word of the city's filter waits for the desk: 202, and it says so.
        return Response(s.CommentOutSerializer(event).data,
                        status=status.HTTP_202_ACCEPTED if event.held_for
                        else status.HTTP_201_CREATED)

    # --- Back-office actions: the state machine's names, the services' rules ---------------

    def _act(self, request, form_class, call):
        report = get_object_or_404(Report.objects.select_related("agency", "city"),
                                   ticket=self.kwargs["ticket"])
        data = {}
        if form_class is not None:
            form = form_class(data=request.data)
            form.is_valid(raise_exception=True)
            data = form.validated_data
        try:
            call(report, data, timezone.now())
        except workflow.NotAllowed as exc:
            raise exceptions.PermissionDenied(exc.message) from None
        except workflow.IllegalTransition as exc:
            raise Conflict(exc.message) from None
        except DjangoValidationError as exc:
            raise _drf_error(exc) from None
        fresh = self.get_queryset().get(pk=report.pk)
        body = s.ReportDetailSerializer(fresh, context=self.get_serializer_context()).data
        _audit_contact(request, fresh, body)
        return Response(body)

    ACT = dict(detail=True, methods=["post"], filterset_class=None,
               permission_classes=[permissions.IsAuthenticated])

    @extend_schema(request=s.NoteSerializer, responses={200: s.ReportDetailSerializer, **ERRORS})
    @action(**ACT)
    def verify(self, request, ticket=None):
        return self._act(request, s.NoteSerializer, lambda r, d, now: services.verify(
            r.pk, actor=request.user, now=now, note=d["note"]))

    @extend_schema(request=s.ReasonSerializer,
                   responses={200: s.ReportDetailSerializer, **ERRORS})
    @action(**ACT)
    def reject(self, request, ticket=None):
        return self._act(request, s.ReasonSerializer, lambda r, d, now: services.reject(
            r.pk, actor=request.user, now=now, reason=d["reason"], note=d["note"]))

    @extend_schema(request=s.AssignSerializer,
                   responses={200: s.ReportDetailSerializer, **ERRORS})
    @action(**ACT)
    def assign(self, request, ticket=None):
        def call(report, data, now):
            officer = team = None
            if data.get("officer"):
                officer = User.objects.filter(username=data["officer"], is_active=True).first()
                if officer is None:
                    raise DjangoValidationError({"officer": _("Petugas tidak dikenal.")})
            if data.get("team"):
                team = Team.objects.filter(agency_id=report.agency_id, code=data["team"]).first()
                if team is None:
                    raise DjangoValidationError({"team": _("Tim tidak dikenal di dinas ini.")})
            services.assign(report.pk, actor=request.user, now=now, officer=officer, team=team)

        return self._act(request, s.AssignSerializer, call)

    @extend_schema(request=s.NoteSerializer, responses={200: s.ReportDetailSerializer, **ERRORS})
    @action(**ACT)
    def start(self, request, ticket=None):
        return self._act(request, s.NoteSerializer, lambda r, d, now: services.start(
            r.pk, actor=request.user, now=now, note=d["note"]))

    @extend_schema(request={"multipart/form-data": s.ResolveSerializer},
                   responses={200: s.ReportDetailSerializer, **ERRORS})
    @action(**ACT)
    def resolve(self, request, ticket=None):
        def call(report, data, now):
            services.resolve(report.pk, actor=request.user, now=now, note=data["note"],
                             photos=[f.read() for f in data["photo"]])

        return self._act(request, s.ResolveSerializer, call)

    @extend_schema(request=s.NoteSerializer, responses={200: s.ReportDetailSerializer, **ERRORS})
    @action(**ACT)
    def close(self, request, ticket=None):
        return self._act(request, s.NoteSerializer, lambda r, d, now: services.close(
            r.pk, actor=request.user, now=now, note=d["note"]))

    @extend_schema(request=s.ReasonSerializer,
                   responses={200: s.ReportDetailSerializer, **ERRORS})
    @action(**ACT)
    def reopen(self, request, ticket=None):
        return self._act(request, s.ReasonSerializer, lambda r, d, now: services.reopen(
            r.pk, actor=request.user, now=now, reason=d["reason"]))

    @extend_schema(request=s.ReasonSerializer,
                   responses={200: s.ReportDetailSerializer, **ERRORS})
    @action(**ACT)
    def handback(self, request, ticket=None):
        return self._act(request, s.ReasonSerializer, lambda r, d, now: services.handback(
            r.pk, actor=request.user, now=now, reason=d["reason"]))

    @extend_schema(request=s.DuplicateSerializer,
                   responses={200: s.ReportDetailSerializer, **ERRORS})
    @action(**ACT, url_path="mark-duplicate", url_name="mark-duplicate")
    def mark_duplicate(self, request, ticket=None):
        def call(report, data, now):
            kept = Report.objects.filter(ticket=data["of"]).first()
            if kept is None:
                raise DjangoValidationError({"of": _("Laporan tujuan tidak ditemukan.")})
            services.mark_duplicate(report.pk, actor=request.user, now=now, of=kept,
                                    note=data["note"])

        return self._act(request, s.DuplicateSerializer, call)

    @extend_schema(request=s.ReassignSerializer,
                   responses={200: s.ReportDetailSerializer, **ERRORS})
    @action(**ACT)
    def reassign(self, request, ticket=None):
        def call(report, data, now):
            agency = Agency.objects.filter(city_id=report.city_id, code=data["agency"]).first()
            if agency is None:
                raise DjangoValidationError({"agency": _("Dinas tidak dikenal.")})
            services.reassign(report.pk, actor=request.user, now=now, agency=agency,
                              reason=data["reason"])

        return self._act(request, s.ReassignSerializer, call)


class ApiRoot(APIView):
    """The API's front door: links to its resources, its schema and its documentation."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        def link(name, *args):
            return request.build_absolute_uri(reverse(name, args=args))

        return Response({
            "name": "Sigap REST API", "version": "v1",
            "reports": link("api:report-list"), "my_reports": link("api:report-mine"),
            "categories": link("api:categories"), "areas": link("api:areas"),
            "token": link("api:token"), "schema": link("api:schema"), "docs": link("api:docs"),
            "open311": link("open311:discovery", "json"),
        })


class CategoryList(generics.ListAPIView):
    """The city's active categories with their extra questions."""

    serializer_class = s.CategorySerializer
    pagination_class = None
    filterset_class = None
    filter_backends = []

    def get_queryset(self):
        return Category.objects.filter(city=_city(self.request), is_active=True).select_related(
            "agency").prefetch_related("attributes")


class CategorySuggest(APIView):
    """Rank the city's categories for a citizen's words (issue 28; docs/decisions/0014):
    the city's own trained suggester, best first with its probability."""

    @extend_schema(parameters=[s.SuggestQuerySerializer],
                   responses={200: s.SuggestResultSerializer, 400: ERRORS[400],
                              404: OpenApiResponse(description="No such city")})
    def get(self, request):
        query = s.SuggestQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        if data.get("city"):
            city = City.objects.filter(code=data["city"], is_active=True).defer(
                "boundary").first()
            if city is None:
                raise exceptions.NotFound(_("Kota tidak dikenal."))
        else:
            # The point's city (decision 0012), else the installation's, kept per worker.
            city = ("lat" in data and services.city_of_point(data["lat"], data["lng"])) \
                or City.default_cached()
            if city is None:
                raise exceptions.NotFound(_("Kota belum dikonfigurasi."))
        found, version = suggester.suggest(city, data["text"])
        return Response({"city": city.code, "model_version": version, "suggestions": [
            {"code": x.code, "name": x.category.name, "score": x.score,
             "is_emergency": x.category.is_emergency} for x in found]})


class AreaGeoJSON(APIView):
    """Kecamatan or kelurahan boundaries as a GeoJSON FeatureCollection (?level=)."""

    @extend_schema(parameters=[OpenApiParameter("level", OpenApiTypes.STR, enum=[
        "kecamatan", "kelurahan"])], responses={200: OpenApiTypes.OBJECT, 400: ERRORS[400]})
    def get(self, request):
        level = request.query_params.get("level", Area.Level.KECAMATAN)
        if level not in Area.Level.values:
            raise exceptions.ValidationError({"level": _("Pakai kecamatan atau kelurahan.")})
        areas = Area.objects.filter(city=_city(self.request), level=level).select_related("parent")
        features = [{
            "type": "Feature",
            "id": area.code,
            "geometry": area.boundary,
            "properties": {"code": area.code, "name": area.name, "level": area.level,
                           "parent": area.parent.code if area.parent_id else None,
                           "postal_code": area.postal_code or None,
                           "centroid": [area.centroid_lng, area.centroid_lat]
                           if area.centroid_lat is not None else None},
        } for area in areas]
        return Response({"type": "FeatureCollection", "features": features})


class ObtainToken(APIView):
    """Exchange a username and password (and, for staff, a two-step code) for an API token
    (`Authorization: Token …`)."""

    authentication_classes = []
    permission_classes = []

    @extend_schema(request=s.TokenRequestSerializer,
                   responses={200: s.TokenSerializer, 400: ERRORS[400]})
    def post(self, request):
        form = s.TokenRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        # The Django request, so that django-axes can mark a lockout its middleware answers.
        user = authenticate(request._request, username=form.validated_data["username"],
                            password=form.validated_data["password"])
        if user is None or not user.is_active:
            raise exceptions.ValidationError(
                {"detail": _("Nama pengguna atau kata sandi salah.")})
        try:  # the one rule of every staff door (accounts.twofactor)
            twofactor.check_for_token(user, form.validated_data.get("otp"))
        except twofactor.SecondFactorMissing as exc:
            raise exceptions.ValidationError({"otp": [exc.message]}) from None
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
