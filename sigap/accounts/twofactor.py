"""Staff two-factor sign-in (django-otp): TOTP from an authenticator app, recovery codes.

Required for the roles in SIGAP_2FA_REQUIRED_ROLES (city administrators, superusers and
agency heads by default) before they reach the office or the admin; optional for other
staff, and once a person has set it up it is asked of them too. Ten single-use recovery
codes (django-otp static tokens) are shown once when it is set up.
"""

from __future__ import annotations

import base64

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _, gettext_lazy
from django_otp import login as otp_login, match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

PROTECTED_PREFIXES = ("/office/", "/admin/")
RECOVERY_CODES = 10


def is_required(user) -> bool:
    """Return whether `user` must use a second factor."""
    roles = set(getattr(settings, "SIGAP_2FA_REQUIRED_ROLES", ()))
    return user.is_active and (user.role in roles or (user.is_superuser and "admin" in roles))


def needs_second_factor(user) -> bool:
    """Return whether this signed-in session must still pass the second factor."""
    if not getattr(user, "is_authenticated", False) or user.is_verified():
        return False
    return is_required(user) or user_has_device(user, confirmed=True)


def require_second_factor(get_response):
    """Send a session that still owes its second factor to /akun/2fa/ from office or admin."""

    def middleware(request):
        path = request.path
        if path.startswith(PROTECTED_PREFIXES) and needs_second_factor(request.user):
            return redirect(f"{reverse('accounts:twofactor')}?{urlencode({'next': path})}")
        return get_response(request)

    return middleware


class TokenForm(forms.Form):
    token = forms.CharField(label=gettext_lazy("Kode dari aplikasi autentikator"),
                            max_length=16, widget=forms.TextInput(attrs={
                                "autocomplete": "one-time-code", "inputmode": "numeric",
                                "autofocus": True}))


def _next(request) -> str:
    url = request.POST.get("next") or request.GET.get("next") or "/office/"
    ok = url_has_allowed_host_and_scheme(url, {request.get_host()},
                                         require_https=request.is_secure())
    return url if ok else "/office/"


def new_recovery_codes(user) -> list[str]:
    """Replace the person's recovery codes with fresh ones; return them (shown once)."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name="recovery", defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


@login_required
def twofactor(request):
    """Verify the second factor, or set it up first when the person has none yet."""
    user = request.user
    form = TokenForm(request.POST or None)
    if user_has_device(user, confirmed=True):
        if request.method == "POST" and form.is_valid():
            device = match_token(user, form.cleaned_data["token"].replace(" ", ""))
            if device is not None:
                otp_login(request, device)
                return redirect(_next(request))
            form.add_error("token", _("Kode salah atau sudah dipakai."))
        return render(request, "accounts/twofactor_verify.html",
                      {"form": form, "next": _next(request)},
                      status=400 if form.errors else 200)
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or \
        TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].replace(" ", "")):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            codes = new_recovery_codes(user)
            return render(request, "accounts/twofactor_codes.html",
                          {"codes": codes, "next": _next(request)})
        form.add_error("token", _("Kode salah. Periksa jam HP Anda, lalu coba lagi."))
    return render(request, "accounts/twofactor_setup.html", {
        "form": form, "next": _next(request), "required": is_required(user),
        "secret": base64.b32encode(device.bin_key).decode().rstrip("="),
        "config_url": device.config_url,
    }, status=400 if form.errors else 200)
