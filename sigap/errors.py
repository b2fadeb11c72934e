"""The project's answer to a bad request (urls.handler400): the reason, in the visitor's
language, in the shape the endpoint's clients read (JSON for the APIs, a page otherwise).

Django's own 400 page says only "Bad Request"; code that refuses a request raises
`django.core.exceptions.BadRequest(message)` with a translated message and it is shown here.
"""

from django.core.exceptions import BadRequest
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from sigap.open311 import render as open311_render


def bad_request(request, exception=None):
    message = _("Permintaan tidak valid.")
    if isinstance(exception, BadRequest) and exception.args:
        message = str(exception.args[0])
    path = request.path
    if path.startswith("/open311/"):
        return open311_render.errors("xml" if path.endswith(".xml") else "json", 400,
                                     [(400, message)])
    if path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"detail": message}, status=400)
    return render(request, "400.html", {"message": message}, status=400)
