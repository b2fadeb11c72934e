"""A citizen who signs up with the phone number or e-mail they gave on earlier reports finds
those reports under "Laporan saya" once the one-time code has proved the address theirs."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch):
    from sigap.notifications import channels

    outbox = []
    monkeypatch.setattr(channels, "send", lambda channel, to, subject, text, html=None:
                        outbox.append(text))
    return outbox


def sign_in(client, sent, destination):
    import re

    client.post("/akun/masuk/", {"destination": destination, "channel": "sms", "next": "/saya/"})
    code = re.search(r"\b(\d{6})\b", sent[-1]).group(1)
    return client.post("/akun/masuk/kode/", {"code": code})


def test_earlier_reports_join_the_new_account(client, kupang, form_data, sent):
    from sigap.reports.models import Report

    client.post("/lapor/", form_data(key="a" * 32, contact_phone="0812-3456 7890",
                                     description="Jalan berlubang satu"))
    client.post("/lapor/", form_data(key="b" * 32, contact_phone="+62 812 3456 7890",
                                     description="Jalan berlubang dua"))
    client.post("/lapor/", form_data(key="c" * 32, contact_phone="0812 9999 7890",
                                     description="Nomor orang lain"))
    client.post("/lapor/", form_data(key="d" * 32, anonymous="on",
                                     contact_phone="081234567890", description="Anonim"))
    client.post("/lapor/", form_data(key="e" * 32, contact_email="Siti@Contoh.id",
                                     description="Lewat e-mail"))
    assert Report.objects.count() == 5 and not Report.objects.exclude(reporter=None).exists()

    assert sign_in(client, sent, "081234567890").status_code == 302
    mine = client.get("/saya/").content.decode()
    assert "Jalan berlubang satu" in mine and "Jalan berlubang dua" in mine
    assert "Nomor orang lain" not in mine and "Anonim" not in mine
    assert "Lewat e-mail" not in mine
    joined = Report.objects.exclude(reporter=None)
    assert joined.count() == 2
    assert all(r.events.filter(kind="internal_note", is_public=False).exists() for r in joined)

    client.logout()
    sign_in(client, sent, "siti@contoh.id")
    assert "Lewat e-mail" in client.get("/saya/").content.decode()
    # The anonymous report stays anonymous.
    assert Report.objects.get(description="Anonim").reporter is None


def test_staff_accounts_take_no_reports(make_user, make_report, now):
    from sigap.accounts.services import parse_destination
    from sigap.reports import services

    make_report(contact=services.Contact(phone="081234567890"))
    officer = make_user("officer", agency="DLHK", phone="+6281234567890")
    assert services.claim_earlier_reports(officer, parse_destination("081234567890"), now) == 0
