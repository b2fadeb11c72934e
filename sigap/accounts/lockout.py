"""What a locked-out sign-in sees (django-axes decides who is locked; settings.AXES_*)."""

from __future__ import annotations

from axes.helpers import get_cool_off
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def locked_out(request, original_response=None, credentials=None):
    """Answer a locked-out sign-in with 429, how long to wait, and how to get unlocked."""
    cool_off = get_cool_off(request)
    minutes = max(1, int(cool_off.total_seconds() // 60)) if cool_off else None
    headers = {"Retry-After": str(int(cool_off.total_seconds()))} if cool_off else {}
    message = _("Terlalu banyak percobaan masuk yang gagal. Akun atau alamat ini dikunci "
                "sementara; coba lagi dalam %(minutes)d menit, atau minta administrator "
                "kota membukanya.") % {"minutes": minutes or 0}
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=429)
    else:
        response = render(request, "accounts/locked.html", {"message": message}, status=429)
    for name, value in headers.items():
        response[name] = value
    return response
