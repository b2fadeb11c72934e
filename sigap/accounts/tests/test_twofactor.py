"""Staff two-factor: set-up with a QR code, verification, recovery codes."""

import re
import time

import pytest
import time_machine
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db


def code_of(device) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def set_up(client, user):
    """Sign in with the password and set up an authenticator; return the recovery codes."""
    client.post("/akun/masuk/sandi/", {"destination": user.username,
                                       "password": "pw-Sigap-2026"})
    page = client.get("/akun/2fa/?next=/office/")
    html = page.content.decode()
    assert page.status_code == 200 and "otpauth://" in html
    assert html.count("<svg") >= 1 and 'class="qr"' in html  # a QR code, drawn here
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    done = client.post("/akun/2fa/", {"token": code_of(device), "next": "/office/"})
    assert done.status_code == 200
    return re.findall(r"<code>([a-z0-9]+)</code>", done.content.decode())


def test_a_head_must_set_up_two_factor_before_the_office(client, make_user, settings):
    head = make_user("head", agency="DLHK", username="kadis")
    client.force_login(head, second_factor=False)
    response = client.get("/office/")
    assert response.status_code == 302 and response["Location"].startswith("/akun/2fa/")
    client.logout()
    codes = set_up(client, head)
    assert len(codes) == 10
    assert client.get("/office/").status_code == 200


def test_an_administrator_needs_it_for_the_admin(client, make_user, settings):
    admin = make_user("admin", username="boss", is_staff=True, is_superuser=True)
    client.force_login(admin, second_factor=False)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/akun/2fa/")


def test_a_new_session_asks_for_the_code_again(client, make_user, settings):
    from django.test import Client

    head = make_user("head", agency="DLHK", username="kadis")
    codes = set_up(client, head)
    other = Client()
    other.post("/akun/masuk/sandi/", {"destination": "kadis", "password": "pw-Sigap-2026"})
    assert other.get("/office/").status_code == 302
    wrong = other.post("/akun/2fa/", {"token": "000000", "next": "/office/"})
    assert wrong.status_code == 400
    device = TOTPDevice.objects.get(user=head, confirmed=True)
    # The code just used to set it up cannot be used again; the next one can.
    assert other.post("/akun/2fa/", {"token": code_of(device)}).status_code == 400
    with time_machine.travel(time.time() + 60, tick=False):
        ok = other.post("/akun/2fa/", {"token": code_of(device), "next": "/office/"})
        assert ok.status_code == 302 and other.get("/office/").status_code == 200
    # A recovery code works once (later: the wrong codes above slowed further tries down).
    with time_machine.travel(time.time() + 120, tick=False):
        third = Client()
        third.post("/akun/masuk/sandi/", {"destination": "kadis", "password": "pw-Sigap-2026"})
        assert third.post("/akun/2fa/", {"token": codes[0], "next": "/office/"}
                          ).status_code == 302
        fourth = Client()
        fourth.post("/akun/masuk/sandi/", {"destination": "kadis", "password": "pw-Sigap-2026"})
        assert fourth.post("/akun/2fa/", {"token": codes[0], "next": "/office/"}
                           ).status_code == 400


def test_it_is_optional_for_a_dispatcher_until_set_up(client, make_user, settings):
    settings.SIGAP_2FA_REQUIRED_ROLES = ["admin", "head"]  # a city that left dispatchers out
    dispatcher = make_user("dispatcher", agency="DLHK", username="dina")
    client.force_login(dispatcher, second_factor=False)
    assert client.get("/office/").status_code == 200
    client.logout()
    set_up(client, dispatcher)
    from django.test import Client

    again = Client()
    again.post("/akun/masuk/sandi/", {"destination": "dina", "password": "pw-Sigap-2026"})
    assert again.get("/office/").status_code == 302
