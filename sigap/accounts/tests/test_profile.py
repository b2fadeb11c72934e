"""The citizen's profile, and deleting the account (reports stay, anonymised)."""

from sigap.accounts.models import User
from sigap.reports import services as reports
from sigap.reports.models import Report, Support


def test_it_needs_a_signed_in_user(client, db):
    assert client.get("/akun/profil/").status_code == 302
    assert client.get("/akun/hapus/").status_code == 302


def test_it_saves_name_channel_language_and_an_optional_password(client, make_user):
    user = make_user(email="siti@contoh.id", phone="+6281234567890")
    client.force_login(user)
    response = client.post("/akun/profil/", {
        "display_name": "Siti", "email": "siti@contoh.id", "phone": "0812 3456 7890",
        "notify_channel": "whatsapp", "language": "en", "current_password": "pw-Sigap-2026",
        "new_password": "Kupang-Sigap-2026"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.display_name, user.phone, user.notify_channel, user.language) == (
        "Siti", "+6281234567890", "whatsapp", "en")
    assert user.check_password("Kupang-Sigap-2026")
    assert response.cookies["django_language"].value == "en"


def test_changing_the_password_asks_for_the_current_one(client, make_user):
    user = make_user(email="siti@contoh.id")
    client.force_login(user)
    data = {"display_name": "Siti", "email": "siti@contoh.id", "phone": "",
            "notify_channel": "email", "language": "id", "new_password": "Kupang-Sigap-2026"}
    for current in ("", "bukan-sandinya"):
        response = client.post("/akun/profil/", {**data, "current_password": current})
        assert response.status_code == 400
        assert "Kata sandi sekarang salah" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password("pw-Sigap-2026") and user.display_name == ""


def test_a_first_password_needs_none_when_the_account_has_none(client, make_user):
    user = make_user(email="siti@contoh.id")
    user.set_unusable_password()
    user.save()
    client.force_login(user)
    response = client.post("/akun/profil/", {
        "display_name": "", "email": "siti@contoh.id", "phone": "", "notify_channel": "email",
        "language": "id", "new_password": "Kupang-Sigap-2026"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Kupang-Sigap-2026")


def test_it_refuses_a_channel_without_an_address(client, make_user):
    user = make_user(email="")
    client.force_login(user)
    response = client.post("/akun/profil/", {"display_name": "", "email": "", "phone": "",
                                             "notify_channel": "sms", "language": "id"})
    assert response.status_code == 400
    assert "Isi nomor HP" in response.content.decode()


def test_it_refuses_an_address_of_another_account(client, make_user):
    make_user(email="taken@contoh.id")
    user = make_user()
    client.force_login(user)
    response = client.post("/akun/profil/", {"email": "taken@contoh.id", "phone": "",
                                             "notify_channel": "email", "language": "id"})
    assert "sudah dipakai" in response.content.decode()


def test_deleting_the_account_keeps_reports_without_name_or_contact(client, make_user,
                                                                     make_report, now):
    from sigap.accounts.models import OneTimeCode

    user = make_user(email="siti@contoh.id")
    OneTimeCode.objects.create(destination="siti@contoh.id", code_hash="x", created_at=now,
                               expires_at=now)
    report = make_report(reporter=user, contact=reports.Contact(
        name="Siti", phone="081234567890", email="siti@contoh.id"))
    other = make_report()
    reports.support(other.pk, supporter_key="", user=user, now=now)
    client.force_login(user)
    assert client.post("/akun/hapus/", {}).status_code == 200  # must tick the box
    response = client.post("/akun/hapus/", {"confirm": "on"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=user.pk).exists()
    report.refresh_from_db()
    assert report.reporter is None and report.is_anonymous
    assert (report.contact_name, report.contact_phone, report.contact_email) == ("", "", "")
    other.refresh_from_db()
    assert other.support_count == 1 and Support.objects.filter(report=other).count() == 1
    assert Report.objects.count() == 2
    assert "_auth_user_id" not in client.session
    assert not OneTimeCode.objects.exists()
