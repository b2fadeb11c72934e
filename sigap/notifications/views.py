from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from sigap.notifications import services


@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """Ask for confirmation (GET, so link scanners change nothing), then unsubscribe (POST)."""
    key = services.read_unsubscribe_token(token)
    if key is None:
        raise Http404
    done = False
    if request.method == "POST":
        services.unsubscribe(key, now=timezone.now())
        done = True
    return render(request, "notifications/unsubscribe.html", {"done": done})
