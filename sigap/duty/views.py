"""The office's rota page (the agency head edits it), a page's acknowledgement, and the
browser's web-push subscription. Thin views: the rules live in rota, services and paging."""

from __future__ import annotations

import json

from django import forms
from django_scopes.forms import SafeModelChoiceField
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_POST

from sigap.accounts.models import AGENCY_ROLES, Role as AccountRole, User
from sigap.agencies.models import Agency, Team
from sigap.backoffice.access import staff_required
from sigap.duty import paging, push
from sigap.duty.models import Callout, PushSubscription, Shift
from sigap.duty.services import running_now

WEEKDAYS = [("0", gettext_lazy("Sen")), ("1", gettext_lazy("Sel")), ("2", gettext_lazy("Rab")),
            ("3", gettext_lazy("Kam")), ("4", gettext_lazy("Jum")), ("5", gettext_lazy("Sab")),
            ("6", gettext_lazy("Min"))]


def _agency_for(request) -> Agency:
    """The agency whose rota this person sees: their own; the city admin picks one."""
    user = request.user
    if user.is_city_admin:
        code = request.GET.get("agency") or request.POST.get("agency") or ""
        agency = Agency.objects.filter(code=code).first() or Agency.objects.order_by("pk").first()
        if agency is None:
            raise PermissionDenied
        return agency
    if user.role in AGENCY_ROLES and user.agency_id:
        return user.agency
    raise PermissionDenied


def can_edit(user, agency) -> bool:
    return user.is_city_admin or (user.role == AccountRole.HEAD and user.agency_id == agency.pk)


class ShiftForm(forms.ModelForm):
    weekdays = forms.MultipleChoiceField(label=gettext_lazy("Hari"), choices=WEEKDAYS,
                                         widget=forms.CheckboxSelectMultiple,
                                         initial=[d for d, _ in WEEKDAYS])

    class Meta:
        model = Shift
        fields = ["user", "team", "weekdays", "starts", "ends", "holidays", "valid_from",
                  "valid_until"]
        # Teams belong to a city (tenancy): the field starts empty at import, whatever
        # thread imports it, and __init__ gives it the agency's teams.
        field_classes = {"team": SafeModelChoiceField}
        widgets = {"starts": forms.TimeInput(attrs={"type": "time"}),
                   "ends": forms.TimeInput(attrs={"type": "time"}),
                   "valid_from": forms.DateInput(attrs={"type": "date"}),
                   "valid_until": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(
            agency=agency, is_active=True, role__in=AGENCY_ROLES).order_by("username")
        self.fields["team"].queryset = Team.objects.filter(agency=agency)
        self.fields["team"].empty_label = _("Meja dispatcher")

    def clean_weekdays(self):
        return "".join(sorted(self.cleaned_data["weekdays"]))

    def clean(self):
        data = super().clean()
        start, until = data.get("valid_from"), data.get("valid_until")
        if start and until and until < start:
            self.add_error("valid_until", _("Tanggal akhir sebelum tanggal mulai."))
        return data


@staff_required
def rota_page(request):
    """The agency's rota: who works the desk and each team, when; who is on duty now."""
    agency = _agency_for(request)
    editable = can_edit(request.user, agency)
    now = timezone.now()
    form = ShiftForm(request.POST or None, agency=agency)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        if form.is_valid():
            shift = form.save(commit=False)
            shift.agency, shift.created_at = agency, now
            shift.save()
            messages.success(request, _("Giliran jaga disimpan."))
            return redirect(request.get_full_path())
    shifts = list(Shift.objects.filter(agency=agency).select_related("user", "team")
                  .order_by("team__name", "starts", "user__username"))
    names = dict(WEEKDAYS)
    running = running_now(shifts, agency, now)
    for s in shifts:
        s.day_names = " ".join(str(names[d]) for d in s.weekdays if d in names)
        s.on_now = s.pk in running
    local = now.astimezone(agency.city.tz)
    return render(request, "duty/rota.html", {
        "agency": agency, "shifts": shifts, "form": form, "editable": editable,
        "local_now": local, "on_now_count": len({s.user_id for s in shifts if s.on_now}),
        "agencies": Agency.objects.all() if request.user.is_city_admin else [],
    })


@staff_required
@require_POST
def delete_shift(request, pk):
    shift = get_object_or_404(Shift, pk=pk)
    if not can_edit(request.user, shift.agency):
        raise PermissionDenied
    shift.delete()
    messages.success(request, _("Giliran jaga dihapus."))
    return redirect("duty:rota")


@staff_required
def ack(request, pk):
    """A page's acknowledgement: the link in the page, and the office's button."""
    callout = get_object_or_404(Callout.objects.select_related("report__category"), pk=pk)
    if not paging.may_acknowledge(request.user, callout):
        raise PermissionDenied
    if request.method == "POST":
        if paging.acknowledge(callout.pk, user=request.user, now=timezone.now()):
            messages.success(request, _("Panggilan diterima. Segera tangani laporan ini."))
        else:
            messages.info(request, _("Panggilan ini sudah diterima."))
        return redirect("backoffice:report", ticket=callout.report.ticket)
    return render(request, "duty/ack.html", {"callout": callout, "report": callout.report})


@staff_required
@require_POST
def subscribe(request):
    """Store this browser's web-push subscription (JSON from PushManager.subscribe())."""
    try:
        data = json.loads(request.body)
        endpoint, keys = data["endpoint"], data["keys"]
        p256dh, auth = keys["p256dh"], keys["auth"]
    except (ValueError, KeyError, TypeError):
        return HttpResponseBadRequest("bad subscription")
    if not str(endpoint).startswith("https://"):
        return HttpResponseBadRequest("bad endpoint")
    PushSubscription.objects.update_or_create(
        endpoint=endpoint, defaults={"user": request.user, "p256dh": str(p256dh)[:200],
                                     "auth": str(auth)[:100], "created_at": timezone.now()})
    return JsonResponse({"ok": True})


def service_worker(request):
    """The office's service worker (push notifications), allowed to control /office/."""
    response = render(request, "duty/sw.js", content_type="application/javascript")
    response["Service-Worker-Allowed"] = "/office/"
    response["Cache-Control"] = "no-cache"
    return response


@staff_required
def vapid_key(request):
    """The public key the browser subscribes with."""
    return JsonResponse({"key": push.public_key()})
