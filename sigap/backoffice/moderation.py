"""The city's moderation queue: flagged and held comments and photos, hide or keep, and the
city's word filter (issue 28, item 5). Views are thin: reports.services decides."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sigap.backoffice.access import staff_required
from sigap.cities.models import City
from sigap.reports import services
from sigap.reports.models import BlockedWord, Flag, Moderation

PAGE = 50


def _city(request) -> City:
    """Return the city whose queue this is: the moderator's own (`User.city`); one who reads
    several (the install's administrator) picks one with ?kota=code. 403 for anyone else."""
    user = request.user
    code = request.GET.get("kota") or request.POST.get("kota") or ""
    city = City.objects.filter(code=code).first() if code else None
    if city is None:
        city = user.city if user.city_id else City.default()
    if city is None or not services.moderates(user, city.pk):
        raise PermissionDenied
    return city


def _queue_url(city) -> str:
    return reverse("backoffice:moderation") + f"?kota={city.code}"


@staff_required
def queue(request):
    return _page(request, _city(request))


def _page(request, city, *, typed: str | None = None, status: int = 200):
    waiting = list(Moderation.objects.waiting().filter(city=city)
                   .select_related("report__category", "event", "photo")
                   .order_by("-flag_count", "created_at", "pk")[:PAGE])
    reasons: dict[int, list] = {}
    labels = dict(Flag.Reason.choices)
    for row in (Flag.objects.filter(moderation__in=[m.pk for m in waiting])
                .values("moderation_id", "reason").annotate(n=Count("pk"))
                .order_by("moderation_id", "-n")):
        reasons.setdefault(row["moderation_id"], []).append((labels[row["reason"]], row["n"]))
    for m in waiting:
        m.reasons = reasons.get(m.pk, [])
    decided = (Moderation.objects.filter(city=city, state__in=[Moderation.State.HIDDEN,
                                                               Moderation.State.KEPT])
               .select_related("report", "event", "photo", "decided_by")
               .order_by("-decided_at", "-pk")[:20])
    words = list(BlockedWord.objects.filter(city=city).values_list("word", flat=True))
    if typed is not None:
        words = [typed]
    return render(request, "backoffice/moderation.html", {
        "city": city, "waiting": waiting, "decided": decided,
        "total": Moderation.objects.waiting().filter(city=city).count(),
        "words": "\n".join(words), "word_count": len(words),
        "cities": [c for c in City.objects.order_by("name")
                   if services.moderates(request.user, c.pk)],
    }, status=status)


@staff_required
@require_POST
def decide(request, pk):
    row = get_object_or_404(Moderation.objects.select_related("city"), pk=pk)
    if not services.moderates(request.user, row.city_id):
        raise PermissionDenied  # another city's item: not this desk's to decide
    decision = request.POST.get("decision", "")
    try:
        services.decide(row.pk, decision, actor=request.user,
                        reason=request.POST.get("reason", ""), now=timezone.now())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Disembunyikan dari publik.") if decision == "hide"
                         else _("Tetap ditampilkan."))
    return redirect(_queue_url(row.city))


@staff_required
@require_POST
def words(request):
    city = _city(request)
    try:
        saved = services.set_words(city.pk, request.POST.get("words", ""), actor=request.user,
                                   now=timezone.now())
    except ValidationError as exc:
        # What the desk typed comes back in the box, with the reason.
        messages.error(request, " ".join(exc.messages))
        return _page(request, city, typed=request.POST.get("words", ""), status=400)
    messages.success(request, _("Saringan kata disimpan: %(n)d kata.") % {"n": len(saved)})
    return redirect(_queue_url(city))
