"""Issue 24, defect 1: a phone number or e-mail joins an account only once a code sent to it
has been entered there; earlier reports join only the account that proved the contact."""

import pytest
from django.test import Client

from sigap.accounts import services
from sigap.accounts.models import User
from sigap.reports.models import Report

pytestmark = pytest.mark.django_db
VICTIM_PHONE = "0812 5550 1234"
SECRET = "Ibu saya batuk darah sejak seminggu, tolong kirim petugas"


def file_health_report(kupang):
    victim = Client()
    response = victim.post("/lapor/", {
        "key": "v" * 32, "category": "KESEHATAN", "lat": "-10.1772", "lng": "123.6070",
        "description": SECRET, "address": "", "contact_name": "Maria Victim",
        "contact_phone": VICTIM_PHONE, "contact_email": ""})
    assert response.status_code == 302, response.content.decode()[:500]
    return Report.objects.get(description=SECRET)


def sign_in_with_code(client, destination, sent, code_in):
    client.post("/akun/masuk/", {"destination": destination, "channel": "sms"})
    response = client.post("/akun/masuk/kode/", {"code": code_in(sent[-1][2])})
    assert response.status_code == 302
    return User.objects.get(pk=client.session["_auth_user_id"])


def test_the_takeover_of_issue_24_fails_at_the_first_step(kupang, make_user, sent, code_in):
    report = file_health_report(kupang)
    attacker = make_user("citizen", username="penyerang", email="jahat@contoh.id")
    mallory = Client()
    mallory.force_login(attacker)

    # Step 1: the attacker claims the victim's number on their profile.
    mallory.post("/akun/profil/", {"display_name": "Penyerang", "email": "jahat@contoh.id",
                                   "phone": VICTIM_PHONE, "notify_channel": "email",
                                   "language": "id"})
    attacker.refresh_from_db()
    assert attacker.phone == ""  # nothing joined the account without the code
    # The code went to the victim's phone, not to the attacker; guessing it does not help.
    assert [(channel, to) for channel, to, _text in sent] == [("sms", "+6281255501234")]
    guess = mallory.post("/akun/profil/kontak/", {"code": "000000"})
    assert guess.status_code == 400
    attacker.refresh_from_db()
    assert attacker.phone == ""

    # The victim signs in with the number and its SMS code: their own account, their report.
    victim = Client()
    account = sign_in_with_code(victim, VICTIM_PHONE, sent, code_in)
    assert account.pk != attacker.pk and account.phone == "+6281255501234"
    report.refresh_from_db()
    assert report.reporter_id == account.pk
    assert report.ticket in victim.get("/saya/").content.decode()

    # Nothing of the victim's reaches the attacker's pages.
    for url in ("/saya/", "/saya/data.json", f"/r/{report.ticket}"):
        page = mallory.get(url).content.decode()
        assert SECRET not in page and "Maria Victim" not in page, url
        assert report.ticket not in page or url.startswith("/r/"), url


def test_a_contact_joins_the_account_once_its_code_is_entered(kupang, make_user, sent,
                                                             code_in, make_report):
    from sigap.reports import services as reports

    earlier = make_report(contact=reports.Contact(name="Siti", phone="081234567890"))
    user = make_user("citizen", email="siti@contoh.id")
    client = Client()
    client.force_login(user)
    response = client.post("/akun/profil/", {
        "display_name": "Siti", "email": "siti@contoh.id", "phone": "0812 3456 7890",
        "notify_channel": "email", "language": "id"})
    assert response.status_code == 302 and response["Location"] == "/akun/profil/kontak/"
    assert "+6281234567890" in client.get("/akun/profil/kontak/").content.decode()
    user.refresh_from_db()
    assert user.phone == "" and user.display_name == "Siti"
    done = client.post("/akun/profil/kontak/", {"code": code_in(sent[-1][2])})
    assert done.status_code == 302
    user.refresh_from_db()
    earlier.refresh_from_db()
    assert user.phone == "+6281234567890" and earlier.reporter_id == user.pk


def test_a_contact_proved_by_another_account_stays_there(kupang, make_user, sent, code_in):
    owner = make_user("citizen", phone="+6281234567890")
    other = make_user("citizen")
    with pytest.raises(Exception, match="sudah dipakai"):
        services.request_contact_code(other, "081234567890", now=services_now())
    client = Client()
    client.force_login(other)
    response = client.post("/akun/profil/", {"email": "", "phone": "081234567890",
                                             "notify_channel": "none", "language": "id"})
    assert response.status_code == 400 and "sudah dipakai" in response.content.decode()
    assert sent == [] and owner.phone == "+6281234567890"


def test_removing_a_contact_needs_no_code(kupang, make_user, sent):
    user = make_user("citizen", phone="+6281234567890", email="siti@contoh.id")
    client = Client()
    client.force_login(user)
    response = client.post("/akun/profil/", {"email": "siti@contoh.id", "phone": "",
                                             "notify_channel": "email", "language": "id"})
    assert response.status_code == 302 and response["Location"] == "/akun/profil/"
    user.refresh_from_db()
    assert user.phone == "" and sent == []


def services_now():
    from django.utils import timezone

    return timezone.now()
