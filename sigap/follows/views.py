"""Follow a place: the follow page, confirmation, one-click unsubscribe, my follows.

Views are thin: they read the clock once and call sigap.follows.services.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sigap.duty import push
from sigap.follows import services, tasks
from sigap.follows.models import MAX_RADIUS_M, MIN_RADIUS_M, Follow
from sigap.lib import ratelimit
from sigap.lib.clientip import client_ip


def _rates():
    return [ratelimit.parse(r) for r in settings.SIGAP_FOLLOWS_PER_ADDRESS]


@require_http_methods(["GET", "POST"])
def follow(request):
    """The follow page of a place: its feeds, and the form to be told of its news."""
    try:
        city = services.city_of(request.GET)
        place = services.place_of(city, request.GET)
    except ValidationError as exc:
        return render(request, "follows/follow.html", {"error": exc.messages[0]}, status=400)
    user = request.user if request.user.is_authenticated else None
    values = {"channel": "email", "frequency": Follow.Frequency.INSTANT,
              "destination": user.email or user.phone if user else ""}
    if user and not user.email and user.phone:
        values["channel"] = "whatsapp"
    error, status = "", 200
    if request.method == "POST":
        values = {k: request.POST.get(k, "").strip()
                  for k in ("channel", "destination", "frequency")}
        ident, now = client_ip(request), time.time()
        wait = None if user else ratelimit.retry_after("follow", ident, _rates(), now)
        if wait is not None:
            error, status = _("Terlalu banyak permintaan dari jaringan ini. Coba lagi dalam "
                              "%(minutes)d menit.") % {"minutes": max(1, (wait + 59) // 60)}, 429
        else:
            try:
                with transaction.atomic():
                    row = services.follow(
                        place, channel=values["channel"], destination=values["destination"],
                        frequency=values["frequency"],
                        language=translation.get_language() or "id", user=user,
                        now=timezone.now())
                    if row.confirmed_at is None:
                        transaction.on_commit(lambda: tasks.send_confirmation(row.pk))
            except ValidationError as exc:
                error, status = exc.messages[0], 400
            else:
                if not user:
                    ratelimit.count("follow", ident, _rates(), now)
                if row.confirmed_at is None:
                    messages.info(request, _(
                        "Hampir selesai: buka tautan konfirmasi yang kami kirim ke %(to)s.")
                        % {"to": row.destination if row.channel != "push" else ""})
                else:
                    messages.success(request, _("Anda sekarang mengikuti %(place)s.")
                                     % {"place": place.name()})
                return redirect(services.follow_page_url(place))
    return render(request, "follows/follow.html", {
        "place": place, "city": city, "values": values, "error": error,
        "channels": Follow.Channel.choices,  # push: shown by the page's script where it works
        "frequencies": Follow.Frequency.choices,
        "rss": place.feed_url("rss"), "atom": place.feed_url("atom"),
        "min_radius": MIN_RADIUS_M, "max_radius": MAX_RADIUS_M,
        "recent": place.reports().select_related("category").order_by("-created_at")[:5]
        if not place.is_circle else None,
    }, status=status)


@require_GET
def push_key(request):
    """The public key a browser subscribes with (the on-duty app's VAPID key)."""
    return JsonResponse({"key": push.public_key()})


@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """Ask for confirmation (GET, so link scanners change nothing), then confirm (POST)."""
    row = services.read_token(token, kind="confirm")
    if row is None:
        raise Http404
    done = row.confirmed_at is not None
    if request.method == "POST":
        services.confirm(row, now=timezone.now())
        done = True
    return render(request, "follows/confirm.html", {
        "follow": row, "place": services.place_of_follow(row), "done": done,
        "city": row.city})


@csrf_exempt  # RFC 8058 one-click: the mail client POSTs without a session; the token is
@require_http_methods(["GET", "POST"])  # the secret, and GET changes nothing
def unsubscribe(request, token):
    row = services.read_token(token, kind="unsubscribe")
    if request.method == "POST":
        if row is not None:
            services.unfollow(row)
        return render(request, "follows/unsubscribe.html", {"done": True})
    if row is None:  # already stopped (or a bad link): nothing more will come
        return render(request, "follows/unsubscribe.html", {"done": True})
    return render(request, "follows/unsubscribe.html", {
        "place": services.place_of_follow(row), "city": row.city, "done": False})


@login_required
def mine(request):
    """The signed-in citizen's follows (their own account's only)."""
    rows = list(Follow.objects.filter(user=request.user)
                .select_related("city", "kelurahan").order_by("-created_at"))
    return render(request, "follows/mine.html", {"follows": [
        (row, services.place_of_follow(row)) for row in rows]})


@login_required
@require_POST
def stop(request, pk):
    row = get_object_or_404(Follow, pk=pk, user=request.user)
    services.unfollow(row)
    messages.success(request, _("Anda berhenti mengikuti %(place)s.")
                     % {"place": services.place_of_follow(row).name()})
    return redirect(reverse("follows:mine"))
