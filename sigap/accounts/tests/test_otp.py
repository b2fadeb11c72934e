"""Sign-up and sign-in with a one-time code; the optional password."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from sigap.accounts import services
from sigap.accounts.models import OneTimeCode, User


@pytest.mark.parametrize("raw, value, kind", [
    ("0812-3456 7890", "+6281234567890", "phone"),
    ("+62 812 3456 7890", "+6281234567890", "phone"),
    ("62 812 3456 7890", "+6281234567890", "phone"),
    ("(0812) 3456-7890", "+6281234567890", "phone"),
    ("+62 (0) 812-3456-7890", "+6281234567890", "phone"),
    ("0062 812 3456 7890", "+6281234567890", "phone"),
    ("0852.3900.1234", "+6285239001234", "phone"),
    (" Siti@Contoh.ID ", "siti@contoh.id", "email"),
])
def test_it_normalises_phone_numbers_and_emails(raw, value, kind):
    dest = services.parse_destination(raw)
    assert (dest.value, dest.kind) == (value, kind)


@pytest.mark.parametrize("raw", ["", "12345", "+1 202 555 0100", "siti@", "abc",
                                 "08123", "0380 821234"])  # too short; a landline gets no SMS
def test_it_refuses_what_is_neither_phone_nor_email(raw):
    with pytest.raises(ValidationError):
        services.parse_destination(raw)


def test_it_sends_a_hashed_code_and_signs_up_on_first_use(db, sent, code_in, now):
    services.request_code("081234567890", now=now, channel="whatsapp")
    channel, to, text = sent[0]
    code = code_in(text)
    assert (channel, to) == ("whatsapp", "+6281234567890")
    otp = OneTimeCode.objects.get()
    assert code not in otp.code_hash and otp.expires_at == now + timedelta(minutes=10)
    user = services.verify_code("0812 3456 7890", code, now=now + timedelta(minutes=1))
    assert user.phone == "+6281234567890" and user.role == "citizen"
    assert not user.has_usable_password()
    with pytest.raises(ValidationError):  # a code works once
        services.verify_code("081234567890", code, now=now + timedelta(minutes=2))


def test_it_signs_in_the_existing_account(db, sent, code_in, now, make_user):
    existing = make_user(email="siti@contoh.id")
    services.request_code("SITI@contoh.id", now=now)
    assert sent[0][0] == "email"
    assert services.verify_code("siti@contoh.id", code_in(sent[0][2]), now=now) == existing


def test_it_refuses_an_expired_code(db, sent, code_in, now):
    services.request_code("siti@contoh.id", now=now)
    with pytest.raises(ValidationError, match="kedaluwarsa"):
        services.verify_code("siti@contoh.id", code_in(sent[0][2]),
                             now=now + timedelta(minutes=11))
    assert not User.objects.exists()


def test_it_limits_guesses(db, sent, code_in, now):
    services.request_code("siti@contoh.id", now=now)
    code = code_in(sent[0][2])
    wrong = "000000" if code != "000000" else "111111"
    for left in [4, 3, 2, 1]:
        with pytest.raises(ValidationError, match=f"Sisa {left} kali"):
            services.verify_code("siti@contoh.id", wrong, now=now)
    with pytest.raises(ValidationError, match="kedaluwarsa"):
        services.verify_code("siti@contoh.id", wrong, now=now)
    with pytest.raises(ValidationError):  # even the right code is dead now
        services.verify_code("siti@contoh.id", code, now=now)


def test_it_limits_codes_per_destination_and_per_ip(db, sent, now):
    for _ in range(3):
        services.request_code("siti@contoh.id", now=now)
    with pytest.raises(services.TooManyRequests):
        services.request_code("siti@contoh.id", now=now + timedelta(minutes=1))
    services.request_code("siti@contoh.id", now=now + timedelta(minutes=16))  # window over
    for i in range(10):
        services.request_code(f"warga{i}@contoh.id", now=now, ip="10.0.0.1")
    with pytest.raises(services.TooManyRequests):
        services.request_code("lain@contoh.id", now=now, ip="10.0.0.1")
    assert len(sent) == 14


def test_only_the_newest_code_works(db, sent, code_in, now):
    services.request_code("siti@contoh.id", now=now)
    services.request_code("siti@contoh.id", now=now + timedelta(seconds=30))
    old, new = code_in(sent[0][2]), code_in(sent[1][2])
    if old != new:
        with pytest.raises(ValidationError):
            services.verify_code("siti@contoh.id", old, now=now + timedelta(minutes=1))
    assert services.verify_code("siti@contoh.id", new, now=now + timedelta(minutes=1))


def test_the_pages_sign_a_citizen_in_and_go_back(client, db, sent, code_in):
    response = client.post("/akun/masuk/", {"destination": "081234567890", "channel": "sms",
                                            "next": "/saya/"})
    assert response.status_code == 302 and response["Location"] == "/akun/masuk/kode/"
    assert "+6281234567890" in client.get("/akun/masuk/kode/").content.decode()
    wrong = client.post("/akun/masuk/kode/", {"code": "12"})
    assert wrong.status_code == 400 and "Kode salah" in wrong.content.decode()
    response = client.post("/akun/masuk/kode/", {"code": code_in(sent[0][2])})
    assert response.status_code == 302 and response["Location"] == "/saya/"
    assert client.get("/saya/").status_code == 200


def test_the_sign_in_page_explains_bad_input(client, db, sent):
    response = client.post("/akun/masuk/", {"destination": "abc"})
    assert response.status_code == 400 and "nomor HP Indonesia" in response.content.decode()
    assert client.get("/akun/masuk/kode/").status_code == 302  # no code requested yet
    assert not sent


def test_it_refuses_an_open_redirect(client, db, sent, code_in):
    client.post("/akun/masuk/", {"destination": "siti@contoh.id", "next": "https://evil.test/"})
    response = client.post("/akun/masuk/kode/", {"code": code_in(sent[0][2])})
    assert response["Location"] == "/"


def test_staff_and_citizens_with_a_password_sign_in_with_it(client, make_user):
    make_user("officer", agency="DLHK", username="officer-x")
    citizen = make_user(phone="+6281200000001")
    response = client.post("/akun/masuk/sandi/", {"destination": "officer-x",
                                                  "password": "pw-Sigap-2026",
                                                  "next": "/office/"})
    assert response.status_code == 302 and response["Location"] == "/office/"
    client.logout()
    response = client.post("/akun/masuk/sandi/", {"destination": "0812 0000 0001",
                                                  "password": "pw-Sigap-2026"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(citizen.pk)
    client.logout()
    bad = client.post("/akun/masuk/sandi/", {"destination": "officer-x", "password": "nope"})
    assert bad.status_code == 400 and "salah" in bad.content.decode()


def test_staff_going_to_the_back_office_get_the_password_form(client, db):
    response = client.get("/akun/masuk/?next=/office/")
    assert response["Location"] == "/akun/masuk/sandi/?next=%2Foffice%2F"
    assert client.get(response["Location"]).status_code == 200


def test_the_per_ip_limit_reads_the_forwarded_address(client, db, sent):
    for i in range(10):
        client.post("/akun/masuk/", {"destination": f"w{i}@contoh.id"},
                    HTTP_X_FORWARDED_FOR="203.0.113.7, 10.0.0.2")
    blocked = client.post("/akun/masuk/", {"destination": "lain@contoh.id"},
                          HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert blocked.status_code == 400 and "Terlalu banyak" in blocked.content.decode()
    other = client.post("/akun/masuk/", {"destination": "lain@contoh.id"},
                        HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert other.status_code == 302


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_never_exceed_the_limit_per_destination(sent, now):
    """Counting and inserting were two steps: requests at the same moment all counted the
    same rows and each sent a code."""
    import threading

    from django.db import connections

    barrier = threading.Barrier(8)
    refused = []

    def ask():
        try:
            barrier.wait()
            services.request_code("siti@contoh.id", now=now)
        except services.TooManyRequests:
            refused.append(1)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert OneTimeCode.objects.filter(destination="siti@contoh.id").count() \
        == services.MAX_SENDS_PER_DESTINATION == len(sent)
    assert len(refused) == 8 - services.MAX_SENDS_PER_DESTINATION


def test_the_code_is_sent_by_the_worker_not_the_request(db, sent, code_in, now, monkeypatch):
    """A slow gateway must not hold the web worker: the request only queues the message."""
    from huey.contrib.djhuey import HUEY

    from sigap.accounts import tasks

    queued = []
    monkeypatch.setattr(HUEY, "immediate", False)
    monkeypatch.setattr(HUEY, "enqueue", queued.append)
    services.request_code("081234567890", now=now)
    assert sent == [] and [t.name for t in queued] == ["send_code"]
    tasks.send_code.call_local(*queued[0].args)  # what the worker does
    assert sent[0][:2] == ("sms", "+6281234567890") and code_in(sent[0][2])


def test_a_queue_that_is_down_is_told_as_a_delivery_failure(db, sent, now, monkeypatch):
    from huey.contrib.djhuey import HUEY

    from sigap.notifications.channels import DeliveryError

    def down(task):
        raise ConnectionError("queue down")

    monkeypatch.setattr(HUEY, "immediate", False)
    monkeypatch.setattr(HUEY, "enqueue", down)
    with pytest.raises(DeliveryError):
        services.request_code("siti@contoh.id", now=now)
