"""Brute force on staff sign-in: locked by account and by address (django-axes)."""

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command

pytestmark = pytest.mark.django_db
PASSWORD = "pw-Sigap-2026"


@pytest.fixture(autouse=True)
def _small_limit(settings):
    settings.AXES_FAILURE_LIMIT = 5


def sandi(client, who, password, **extra):
    return client.post("/akun/masuk/sandi/", {"destination": who, "password": password},
                       **extra)


def admin_login(client, who, password, **extra):
    return client.post("/admin/login/?next=/admin/", {"username": who, "password": password},
                       **extra)


def test_it_locks_an_account_after_repeated_wrong_passwords(client, make_user):
    make_user("dispatcher", username="dina", agency="DLHK")
    codes = [sandi(client, "dina", f"salah-{i}").status_code for i in range(5)]
    assert codes == [400, 400, 400, 400, 429]  # the fifth failure locks
    locked = sandi(client, "dina", PASSWORD)
    assert locked.status_code == 429 and "_auth_user_id" not in client.session
    assert "dikunci" in locked.content.decode() and int(locked["Retry-After"]) > 0


def test_it_locks_the_account_from_any_address(client, make_user):
    make_user("dispatcher", username="dina", agency="DLHK")
    for i in range(5):
        sandi(client, "dina", "salah", REMOTE_ADDR=f"198.51.100.{i}")
    assert sandi(client, "dina", PASSWORD, REMOTE_ADDR="192.0.2.1").status_code == 429


def test_it_locks_an_address_trying_many_accounts(client, make_user):
    make_user("dispatcher", username="dina", agency="DLHK")
    for i in range(5):
        sandi(client, f"orang-{i}", "salah", REMOTE_ADDR="203.0.113.9")
    assert sandi(client, "dina", PASSWORD, REMOTE_ADDR="203.0.113.9").status_code == 429
    # Someone else, elsewhere, still signs in.
    assert sandi(client, "dina", PASSWORD, REMOTE_ADDR="192.0.2.1").status_code == 302


def test_it_locks_the_admin_sign_in_too(client, make_user):
    make_user("admin", username="boss", is_staff=True, is_superuser=True)
    for _ in range(5):
        admin_login(client, "boss", "salah")
    response = admin_login(client, "boss", PASSWORD)
    assert response.status_code == 429 and "_auth_user_id" not in client.session


def test_it_locks_the_api_token_exchange(client, make_user):
    make_user("citizen", username="maria")
    for _ in range(5):
        client.post("/api/v1/auth/token/", {"username": "maria", "password": "salah"})
    response = client.post("/api/v1/auth/token/", {"username": "maria", "password": PASSWORD})
    assert response.status_code == 429 and "token" not in response.json()


def test_the_message_speaks_the_active_language(client, make_user):
    make_user("dispatcher", username="dina", agency="DLHK")
    client.cookies["django_language"] = "en"
    for _ in range(6):
        response = sandi(client, "dina", "wrong")
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()


def test_the_administrator_unlocks_an_account(client, make_user):
    make_user("dispatcher", username="dina", agency="DLHK")
    for _ in range(5):
        sandi(client, "dina", "salah")
    assert AccessAttempt.objects.filter(username="dina").exists()
    call_command("axes_reset_username", "dina")
    assert sandi(client, "dina", PASSWORD).status_code == 302


def test_a_success_clears_the_count(client, make_user):
    make_user("dispatcher", username="dina", agency="DLHK")
    for _ in range(4):
        sandi(client, "dina", "salah")
    assert sandi(client, "dina", PASSWORD).status_code == 302
    client.post("/akun/keluar/")
    for _ in range(4):
        sandi(client, "dina", "salah")
    assert sandi(client, "dina", PASSWORD).status_code == 302
