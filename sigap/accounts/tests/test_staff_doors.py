"""Issue 24, defect 2: one second-factor rule on every staff door (accounts.twofactor).

A role × surface matrix: signed in with the password only, each staff role is sent to the
second factor (or, for an API token, refused); with the second factor passed it gets what
its role allows (or the role's ordinary refusal)."""

import re
import time

import pytest
import time_machine
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from sigap.accounts.roles import sync_user_groups

pytestmark = pytest.mark.django_db
PASSWORD = "pw-Sigap-2026"
ROLES = ["officer", "dispatcher", "head", "admin", "executive"]
DOORS = {"office": "/office/", "admin": "/admin/", "dashboard": "/dasbor/",
         "export_csv": "/dasbor/ekspor.csv", "export_xlsx": "/dasbor/ekspor.xlsx",
         "export_geojson": "/dasbor/ekspor.geojson", "capacity": "/kapasitas/"}
# What each role gets once past the second factor: "ok" (200) or "no" (its role's refusal:
# 403, or the Django admin's own sign-in page for an account that may not open it).
ALLOWED = {
    "officer": {"office": "ok", "admin": "no", "dashboard": "no", "export_csv": "no",
                "export_xlsx": "no", "export_geojson": "no", "capacity": "no"},
    "dispatcher": {"office": "ok", "admin": "no", "dashboard": "no", "export_csv": "no",
                   "export_xlsx": "no", "export_geojson": "no", "capacity": "no"},
    "head": {"office": "ok", "admin": "no", "dashboard": "ok", "export_csv": "ok",
             "export_xlsx": "ok", "export_geojson": "ok", "capacity": "no"},
    "admin": {door: "ok" for door in DOORS},
    "executive": {"office": "ok", "admin": "ok", "dashboard": "ok", "export_csv": "ok",
                  "export_xlsx": "ok", "export_geojson": "ok", "capacity": "no"},
}


def staff(make_user, role):
    extra = {"is_staff": True, "is_superuser": True} if role == "admin" else \
        {"is_staff": True} if role == "executive" else {}
    user = make_user(role, agency=None if role in ("admin", "executive") else "DLHK",
                     username=f"{role}-pintu", **extra)
    sync_user_groups(user)
    return user


def password_only(username):
    client = Client()
    response = client.post("/akun/masuk/sandi/", {"destination": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def code_of(device):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def with_second_factor(username, user):
    """Sign in with the password, set up the authenticator from its page, enter its code;
    return the client and the recovery codes it showed."""
    client = password_only(username)
    assert client.get("/akun/2fa/").status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    page = client.post("/akun/2fa/", {"token": code_of(device), "next": "/office/"})
    assert page.status_code == 200
    return client, re.findall(r"<code>([a-z0-9]+)</code>", page.content.decode())


def outcome(client, url):
    response = client.get(url)
    if response.status_code == 302 and response["Location"].startswith("/office/"):
        response = client.get(response["Location"])  # an officer's office opens on their tasks
    if response.status_code == 302 and response["Location"].startswith("/akun/2fa/"):
        return "second factor"
    if response.status_code == 200:
        return "ok"
    if response.status_code == 403 or (
            response.status_code == 302 and response["Location"].startswith("/admin/login/")):
        return "no"
    return response.status_code


@pytest.mark.parametrize("role", ROLES)
def test_every_staff_door_asks_each_role_for_the_second_factor(role, make_user, kupang):
    user = staff(make_user, role)
    before = password_only(user.username)
    assert {door: outcome(before, url) for door, url in DOORS.items()} == {
        door: "second factor" for door in DOORS}
    token = before.post("/api/v1/auth/token/", {"username": user.username,
                                                "password": PASSWORD})
    assert token.status_code == 400 and "otp" in token.json() and "token" not in token.json()

    after, recovery = with_second_factor(user.username, user)
    assert {door: outcome(after, url) for door, url in DOORS.items()} == ALLOWED[role]
    token = after.post("/api/v1/auth/token/", {"username": user.username,
                                               "password": PASSWORD, "otp": recovery[0]})
    assert token.status_code == 200 and token.json()["token"]


def test_the_api_takes_no_session_or_token_without_the_second_factor(make_user, make_report):
    from rest_framework.test import APIClient

    from sigap.reports.models import Report

    report = make_report()  # SAMPAH: the DLHK desk verifies it
    user = staff(make_user, "dispatcher")
    session = password_only(user.username)
    refused = session.post(f"/api/v1/reports/{report.ticket}/verify/")
    assert refused.status_code in (401, 403)
    assert Report.objects.get(pk=report.pk).status == "submitted"

    _client, recovery = with_second_factor(user.username, user)
    api = APIClient()
    wrong = api.post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD,
                                             "otp": "12345678"}, format="json")
    assert wrong.status_code == 400 and "otp" in wrong.json()
    with time_machine.travel(time.time() + 60, tick=False):  # django-otp slows a retry down
        token = api.post("/api/v1/auth/token/", {"username": user.username,
                                                 "password": PASSWORD, "otp": recovery[1]},
                         format="json").json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.post(f"/api/v1/reports/{report.ticket}/verify/").status_code == 200


def test_the_refusal_speaks_the_active_language(make_user, kupang):
    user = staff(make_user, "head")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["django_language"] = "en"
    response = client.post("/api/v1/auth/token/", {"username": user.username,
                                                   "password": PASSWORD})
    assert response.status_code == 400
    assert "two-step verification" in response.json()["otp"][0]


def test_a_citizen_gets_a_token_with_the_password_alone(make_user, kupang):
    make_user("citizen", username="maria")
    response = Client().post("/api/v1/auth/token/", {"username": "maria", "password": PASSWORD})
    assert response.status_code == 200 and response.json()["token"]


@pytest.mark.parametrize("role,home", [
    ("officer", "/office/tugas/"), ("dispatcher", "/office/"), ("head", "/office/"),
    ("admin", "/office/"), ("executive", "/dasbor/"), ("citizen", "/")])
def test_each_person_lands_on_their_own_page_after_signing_in(role, home, make_user, kupang):
    user = staff(make_user, role) if role != "citizen" else make_user("citizen",
                                                                      username="warga-pintu")
    client = Client()
    response = client.post("/akun/masuk/sandi/", {"destination": user.username,
                                                  "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == home
    if role == "citizen":
        return
    # The page asks for the second factor first, and sends back to the same page after it.
    assert client.get(home)["Location"].startswith("/akun/2fa/")
    client.get("/akun/2fa/")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    page = client.post("/akun/2fa/", {"token": code_of(device)})
    assert f'href="{home}"' in page.content.decode()  # after the recovery codes: onwards
    # The office's own sign-in sends each to the same place.
    office = Client()
    landed = office.post("/office/masuk/", {"username": user.username, "password": PASSWORD})
    assert landed["Location"] == home
