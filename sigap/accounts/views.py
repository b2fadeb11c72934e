"""Sign in with a one-time code (or an optional password), profile, delete my account."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _, ngettext
from django.views.decorators.http import require_POST

from sigap.accounts import audit, lockout, roles, services
from sigap.lib.clientip import client_ip
from sigap.accounts.forms import (
    CodeForm, ContactCodeForm, DeleteForm, DestinationForm, PasswordSignInForm, ProfileForm,
    UnlockForm,
)
from sigap.accounts.models import User
from sigap.notifications.channels import DeliveryError

SESSION_DEST = "otp_destination"
SESSION_NEXT = "otp_next"
SESSION_CONTACTS = "contacts_to_prove"
SESSION_UNLOCK = "unlock_destination"


def _next_url(request, default="/") -> str:
    url = request.POST.get("next") or request.GET.get("next") or request.session.get(SESSION_NEXT)
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()},
                                               require_https=request.is_secure()):
        return url
    return default


def _errors_into(form, exc: ValidationError) -> None:
    for field, msgs in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, msgs)


def _login(request, user):
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    response = redirect(_next_url(request, roles.home_for(user)))
    request.session.pop(SESSION_NEXT, None)
    response.set_cookie("django_language", user.language, max_age=365 * 24 * 3600,
                        samesite="Lax")
    return response


def signin(request):
    """Step 1: the phone number or e-mail address that receives the code."""
    staff_next = request.GET.get("next", "")
    if request.method == "GET" and staff_next.startswith(("/office/", "/admin/", "/dasbor/")):
        # Staff accounts sign in with a password.
        return redirect(f"{reverse('accounts:password')}?{request.GET.urlencode()}")
    form = DestinationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            dest = services.request_code(
                form.cleaned_data["destination"], now=timezone.now(),
                ip=client_ip(request) or None, channel=form.cleaned_data.get("channel"))
        except ValidationError as exc:
            _errors_into(form, exc)
        except DeliveryError:
            form.add_error(None, _("Kode tidak bisa dikirim sekarang. Coba lagi sebentar lagi."))
        else:
            request.session[SESSION_DEST] = dest.value
            request.session[SESSION_NEXT] = _next_url(request)
            return redirect("accounts:code")
    return render(request, "accounts/signin.html", {
        "form": form, "next": _next_url(request, "")}, status=400 if form.errors else 200)


def enter_code(request):
    """Step 2: the code; the account is created on the first successful sign-in."""
    destination = request.session.get(SESSION_DEST)
    if not destination:
        return redirect("accounts:signin")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.verify_code(destination, form.cleaned_data["code"],
                                        now=timezone.now())
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            request.session.pop(SESSION_DEST, None)
            messages.success(request, _("Anda sudah masuk."))
            return _login(request, user)
    return render(request, "accounts/code.html", {"form": form, "destination": destination},
                  status=400 if form.errors else 200)


def password_signin(request):
    """Sign in with a password (staff, and citizens who set one)."""
    form = PasswordSignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ident = form.cleaned_data["destination"].strip()
        username = ident
        try:
            found = services.find_user(services.parse_destination(ident))
        except ValidationError:
            found = None
        if found is not None:
            username = found.get_username()
        user = authenticate(request, username=username, password=form.cleaned_data["password"])
        if user is None:
            form.add_error(None, _("Nama pengguna/nomor/e-mail atau kata sandi salah."))
            left = lockout.tries_left(request)
            if left is not None:
                form.add_error(None, ngettext(
                    "Sisa %(n)d kali percobaan sebelum akun ini dikunci untuk alamat ini.",
                    "Sisa %(n)d kali percobaan sebelum akun ini dikunci untuk alamat ini.",
                    left) % {"n": left})
        else:
            return _login(request, user)
    return render(request, "accounts/password.html", {"form": form, "next": _next_url(request, "")},
                  status=400 if form.errors else 200)


def unlock_request(request):
    """A locked person asks for an unlock code, sent to their account's own phone or e-mail."""
    form = UnlockForm(request.POST or None, initial={"account": request.GET.get("akun", "")})
    if request.method == "POST" and form.is_valid():
        try:
            dest = lockout.request_unlock(form.cleaned_data["account"], now=timezone.now(),
                                          ip=client_ip(request) or None)
        except ValidationError as exc:
            _errors_into(form, exc)
        except DeliveryError:
            form.add_error(None, _("Kode tidak bisa dikirim sekarang. Coba lagi sebentar lagi."))
        else:
            # The same answer whether the account exists or not: no list of accounts here.
            request.session[SESSION_UNLOCK] = dest or ""
            return redirect("accounts:unlock_code")
    return render(request, "accounts/unlock.html", {"form": form},
                  status=400 if form.errors else 200)


def unlock_code(request):
    """The unlock code; a right one clears the account's failed passwords."""
    if SESSION_UNLOCK not in request.session:
        return redirect("accounts:unlock")
    destination = request.session[SESSION_UNLOCK]
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if not destination:
                raise ValidationError({"code": _(
                    "Kode salah atau sudah kedaluwarsa. Minta kode baru.")})
            lockout.unlock(destination, form.cleaned_data["code"], now=timezone.now())
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            request.session.pop(SESSION_UNLOCK, None)
            messages.success(request, _("Kunci sudah dibuka. Silakan masuk lagi."))
            return redirect("accounts:password")
    return render(request, "accounts/unlock_code.html", {
        "form": form, "destination": lockout.masked(destination) if destination else ""},
        status=400 if form.errors else 200)


@require_POST
def signout(request):
    logout(request)
    return redirect("citizen:home")


@login_required
def profile(request):
    """The profile; a changed phone number or e-mail waits for its code (confirm_contact)."""
    user: User = request.user
    before = {"email": user.email, "phone": user.phone}
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        user = form.save(commit=False)
        pending = []
        for field in ("phone", "email"):
            wanted = getattr(user, field)
            setattr(user, field, before[field])  # never saved from the form itself
            if not wanted:
                setattr(user, field, "")  # removing a contact proves nothing and needs nothing
            elif wanted != before[field]:
                pending.append(wanted)
        if form.cleaned_data.get("new_password"):
            user.set_password(form.cleaned_data["new_password"])
        user.save()
        if form.cleaned_data.get("new_password"):
            update_session_auth_hash(request, user)
        translation.activate(user.language)
        messages.success(request, _("Profil tersimpan."))
        response = redirect("accounts:profile")
        if pending:
            request.session[SESSION_CONTACTS] = pending
            sent = _send_contact_code(request, form)
            if sent is not None:
                response = sent
        if form.errors:
            return render(request, "accounts/profile.html", {"form": form}, status=400)
        response.set_cookie("django_language", user.language, max_age=365 * 24 * 3600,
                            samesite="Lax")
        return response
    return render(request, "accounts/profile.html", {"form": form},
                  status=400 if form.errors else 200)


def _send_contact_code(request, form=None):
    """Send a code to the first contact waiting in the session; return the redirect to the
    code page, or None (the error is on `form`, or in a message)."""
    pending = request.session.get(SESSION_CONTACTS) or []
    if not pending:
        return None
    try:
        services.request_contact_code(request.user, pending[0], now=timezone.now(),
                                      ip=client_ip(request) or None)
    except ValidationError as exc:
        request.session.pop(SESSION_CONTACTS, None)
        field = "email" if "@" in pending[0] else "phone"
        message = " ".join(m for ms in exc.message_dict.values() for m in ms)
        if form is not None:
            form.add_error(field, message)
        else:
            messages.error(request, message)
        return None
    except DeliveryError:
        request.session.pop(SESSION_CONTACTS, None)
        messages.error(request, _("Kode tidak bisa dikirim sekarang. Coba lagi sebentar lagi."))
        return None
    return redirect("accounts:confirm_contact")


@login_required
def confirm_contact(request):
    """Enter the code sent to a new phone number or e-mail; only then it joins the account."""
    pending = request.session.get(SESSION_CONTACTS) or []
    if not pending:
        return redirect("accounts:profile")
    form = ContactCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_contact(request.user, pending[0], form.cleaned_data["code"],
                                 now=timezone.now())
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            request.session[SESSION_CONTACTS] = pending[1:]
            messages.success(request, _("%(contact)s sudah ditambahkan ke akun Anda.")
                             % {"contact": pending[0]})
            return _send_contact_code(request) or redirect("accounts:profile")
    return render(request, "accounts/contact_code.html",
                  {"form": form, "destination": pending[0]},
                  status=400 if form.errors else 200)


@login_required
def delete(request):
    form = DeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        now = timezone.now()
        # No name in the trail: the entry outlives the account it records the end of.
        audit.record(None, audit.ACCOUNT_DELETED, f"user:{request.user.pk}", now)
        services.delete_account(request.user, now=now)
        logout(request)
        messages.success(request, _("Akun Anda sudah dihapus. Laporan Anda tetap ada tanpa nama."))
        return redirect(reverse("citizen:home"))
    return render(request, "accounts/delete.html", {"form": form})
