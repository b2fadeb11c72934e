"""Brute force on staff sign-in (django-axes, sigap/accounts/lockout.py): an account is locked
for the address that failed, an address is slowed down (never locked), the page says how many
tries are left, and a locked person unlocks with a code sent to their own phone or e-mail."""

import time
from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core.management import call_command

pytestmark = pytest.mark.django_db
PASSWORD = "pw-Sigap-2026"
NAT = "203.0.113.9"  # a carrier's address, shared by many people


@pytest.fixture(autouse=True)
def _small_limit(settings):
    settings.AXES_FAILURE_LIMIT = 5


def sandi(client, who, password, ip=NAT, **extra):
    return client.post("/akun/masuk/sandi/", {"destination": who, "password": password},
                       REMOTE_ADDR=ip, **extra)


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
    assert "/akun/buka-kunci/?akun=dina" in locked.content.decode()


def test_the_lock_holds_only_for_the_address_that_failed(client, make_user):
    """Issue 24 (defect 6): the owner elsewhere, and others behind the same address, get in."""
    make_user("dispatcher", username="dina", agency="DLHK")
    make_user("dispatcher", username="budi", agency="DLHK")
    for _ in range(5):
        sandi(client, "dina", "salah")
    assert sandi(client, "dina", PASSWORD).status_code == 429
    assert sandi(client, "dina", PASSWORD, ip="192.0.2.1").status_code == 302  # the owner
    client.post("/akun/keluar/")
    assert sandi(client, "budi", PASSWORD).status_code == 302  # a colleague behind the NAT


def test_an_address_trying_many_accounts_is_slowed_down_not_locked(client, make_user,
                                                                    settings):
    settings.SIGAP_LOCKOUT_ADDRESS_FREE = 6
    make_user("dispatcher", username="dina", agency="DLHK")
    for i in range(6):
        assert sandi(client, f"orang-{i}", "salah").status_code == 400
    start = time.time()
    with time_machine.travel(start, tick=False):
        assert sandi(client, "orang-7", "salah").status_code == 400  # the first over: counted
        slowed = sandi(client, "dina", PASSWORD)
        assert slowed.status_code == 429 and "Tunggu" in slowed.content.decode()
        assert 0 < int(slowed["Retry-After"]) <= 60
        assert "buka-kunci" not in slowed.content.decode()  # nothing is locked
    # Someone else, elsewhere, is not slowed down at all.
    with time_machine.travel(start, tick=False):
        assert sandi(client, "dina", PASSWORD, ip="192.0.2.1").status_code == 302
    client.post("/akun/keluar/")
    # Once the wait is over the same address signs in with the right password.
    with time_machine.travel(start + 61, tick=False):
        assert sandi(client, "dina", PASSWORD).status_code == 302


def test_the_wait_grows_with_each_failure_up_to_a_minute(make_user, settings):
    from django.utils import timezone

    from sigap.accounts.lockout import address_wait

    settings.SIGAP_LOCKOUT_ADDRESS_FREE = 2
    now = timezone.now()
    AccessAttempt.objects.create(username="x", ip_address=NAT, user_agent="", get_data="",
                                 post_data="", http_accept="", path_info="",
                                 failures_since_start=2)
    AccessAttempt.objects.update(attempt_time=now)  # auto_now_add would not take it
    assert address_wait(NAT, now) == 0
    waits = []
    for _ in range(9):
        AccessAttempt.objects.filter(username="x").update(
            failures_since_start=AccessAttempt.objects.get(username="x").failures_since_start + 1)
        waits.append(address_wait(NAT, now))
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert address_wait(NAT, now + timedelta(seconds=60)) == 0
    assert address_wait("192.0.2.1", now) == 0


def test_the_sign_in_page_warns_of_the_tries_left(client, make_user):
    make_user("dispatcher", username="dina", agency="DLHK")
    first = sandi(client, "dina", "salah").content.decode()
    assert "Sisa 4 kali percobaan" in first
    assert "Sisa 3 kali percobaan" in sandi(client, "dina", "salah").content.decode()
    client.cookies["django_language"] = "en"
    assert "2 tries left" in sandi(client, "dina", "salah").content.decode()
    english = sandi(client, "dina", "salah").content.decode()
    assert "1 try left before this account is locked for this address" in english


@pytest.mark.parametrize("contact", [{"phone": "+6281234567890"},
                                     {"email": "dina@dlhk.kupang.go.id"}])
def test_a_locked_person_unlocks_with_a_code_sent_to_their_own_contact(client, make_user,
                                                                        sent, code_in, contact):
    make_user("dispatcher", username="dina", agency="DLHK", **contact)
    for _ in range(5):
        sandi(client, "dina", "salah")
    assert sandi(client, "dina", PASSWORD).status_code == 429
    asked = client.post("/akun/buka-kunci/", {"account": "dina"}, REMOTE_ADDR=NAT)
    assert asked.status_code == 302 and asked["Location"] == "/akun/buka-kunci/kode/"
    (_channel, to, text), = sent
    assert to == next(iter(contact.values()))
    assert "membuka kunci" in text
    page = client.get("/akun/buka-kunci/kode/").content.decode()
    assert to not in page  # masked: the page does not tell a stranger the whole number
    assert client.post("/akun/buka-kunci/kode/", {"code": "000000"}).status_code == 400
    assert sandi(client, "dina", PASSWORD).status_code == 429  # a wrong code unlocks nothing
    done = client.post("/akun/buka-kunci/kode/", {"code": code_in(text)})
    assert done.status_code == 302 and done["Location"] == "/akun/masuk/sandi/"
    assert sandi(client, "dina", PASSWORD).status_code == 302


def test_unlocking_tells_nothing_about_whether_an_account_exists(client, make_user, sent):
    make_user("dispatcher", username="dina", agency="DLHK")  # no phone, no e-mail
    for who in ("dina", "tidak-ada"):
        asked = client.post("/akun/buka-kunci/", {"account": who})
        assert asked["Location"] == "/akun/buka-kunci/kode/"
        page = client.get("/akun/buka-kunci/kode/").content.decode()
        assert "Jika akun itu ada" in page
        assert client.post("/akun/buka-kunci/kode/", {"code": "123456"}).status_code == 400
    assert sent == []


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
    assert "Too many wrong passwords for this account from this address" in \
        response.content.decode()


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
