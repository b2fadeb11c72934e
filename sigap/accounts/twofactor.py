"""Staff two-factor sign-in (django-otp): TOTP from an authenticator app, recovery codes.

The one rule for every staff door (docs/decisions/0008-staff-second-factor.md): a person
whose role is in SIGAP_2FA_REQUIRED_ROLES (every staff role by default; "admin" covers
superusers too), or who has set up an authenticator, must pass the second factor before

- the office, the Django admin, the dashboard and its exports, the capacity pages
  (`require_second_factor`, a middleware over STAFF_PREFIXES, sends them to set-up or
  verification at /akun/2fa/);
- the REST API: a signed-in session that still owes it counts as no session there
  (`sigap.api.authentication`), and an API token is only given with a current code
  (`check_for_token`, called by /api/v1/auth/token/).

Set-up shows the authenticator's otpauth:// address as a QR code (SVG drawn here by segno,
nothing fetched from elsewhere) with the key written out as a fallback. Ten single-use
recovery codes (django-otp static tokens) are shown once when it is set up.
"""

from __future__ import annotations

import base64

import segno
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _, gettext_lazy
from django_otp import login as otp_login, match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from sigap.accounts import roles

# Every staff door that a browser opens: the office, the Django admin, the dashboard (and
# its exports), the capacity simulation. The REST API follows the same rule (see above).
STAFF_PREFIXES = ("/office/", "/admin/", "/dasbor/", "/kapasitas/")
RECOVERY_CODES = 10


def is_required(user) -> bool:
    """Return whether `user` must use a second factor (anyone who may open the Django admin
    counts as an administrator here)."""
    roles = set(getattr(settings, "SIGAP_2FA_REQUIRED_ROLES", ()))
    return user.is_active and (user.role in roles or (
        (user.is_superuser or user.is_staff) and "admin" in roles))


def needs_second_factor(user) -> bool:
    """Return whether this signed-in session must still pass the second factor."""
    if not getattr(user, "is_authenticated", False) or user.is_verified():
        return False
    return is_required(user) or user_has_device(user, confirmed=True)


def require_second_factor(get_response):
    """Send a session that still owes its second factor from a staff door to /akun/2fa/."""

    def middleware(request):
        path = request.path
        if path.startswith(STAFF_PREFIXES) and needs_second_factor(request.user):
            return redirect(f"{reverse('accounts:twofactor')}?{urlencode({'next': path})}")
        return get_response(request)

    return middleware


class SecondFactorMissing(Exception):
    """An API token was asked for without the second factor it needs (`message` says how)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def check_for_token(user, token: str | None) -> None:
    """Raise SecondFactorMissing unless `user` may have an API token: no second factor owed,
    or `token` (a code from the authenticator, or a recovery code) is right."""
    if not (is_required(user) or user_has_device(user, confirmed=True)):
        return
    if not user_has_device(user, confirmed=True):
        raise SecondFactorMissing(_(
            "Akun ini wajib memakai verifikasi dua langkah: pasang dulu di /akun/2fa/ "
            "(masuk dengan kata sandi di /akun/masuk/sandi/), lalu kirim kodenya di kolom otp."))
    if not token:
        raise SecondFactorMissing(_(
            "Akun ini memakai verifikasi dua langkah: kirim kode dari aplikasi autentikator "
            "(atau kode pemulihan) di kolom otp."))
    if match_token(user, token.replace(" ", "")) is None:
        raise SecondFactorMissing(_("Kode verifikasi dua langkah salah atau sudah dipakai."))


def qr_svg(uri: str) -> str:
    """Return the QR code of `uri` as inline SVG markup (scaled by CSS, no fixed size)."""
    return mark_safe(segno.make(uri, error="m").svg_inline(  # noqa: S308 - segno's own markup
        scale=1, border=2, omitsize=True, title=_("Kode QR untuk aplikasi autentikator")))


class TokenForm(forms.Form):
    token = forms.CharField(label=gettext_lazy("Kode dari aplikasi autentikator"),
                            max_length=16, widget=forms.TextInput(attrs={
                                "autocomplete": "one-time-code", "inputmode": "numeric",
                                "autofocus": True}))


def _next(request) -> str:
    home = roles.home_for(request.user)
    url = request.POST.get("next") or request.GET.get("next") or home
    ok = url_has_allowed_host_and_scheme(url, {request.get_host()},
                                         require_https=request.is_secure())
    return url if ok else home


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
    # Set-up starts with the QR code: no keyboard popping up over it on a phone.
    form.fields["token"].widget.attrs.pop("autofocus", None)
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
        "config_url": device.config_url, "qr": qr_svg(device.config_url),
    }, status=400 if form.errors else 200)
