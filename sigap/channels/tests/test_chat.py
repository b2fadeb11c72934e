"""`sigap chat`: a newcomer holds a WhatsApp conversation with a running Sigap from a
terminal, through the local fake Cloud API (over real HTTP to a live server)."""

import io

import pytest
from django.core.management import CommandError, call_command

from sigap.channels import chat
from sigap.channels.tests.conftest import APP_SECRET, TOKEN, _port
from sigap.reports.models import Report

PHONE = "6281200000042"


@pytest.fixture
def talk(live_server, wa_settings, kupang):
    lines: list[str] = []
    port = _port() + 4  # the last of this process's five ports (start_fake takes the first)
    session = chat.Chat(server_url=live_server.url, app_secret=APP_SECRET, token=TOKEN,
                        phone=PHONE, port=port, out=lines.append).start()
    wa_settings.SIGAP_WHATSAPP_API_URL = session.fake.url
    yield session, lines
    session.stop()
    from sigap.channels import outbound

    outbound.close_clients()


@pytest.mark.django_db(transaction=True)
def test_a_newcomer_reports_by_whatsapp_from_the_terminal(talk):
    session, lines = talk
    assert session.say("halo")
    assert any(line.startswith("Sigap: ") for line in lines)
    for typed, expect in (("sampah", "foto"), ("/foto", "diterima"), ("/1", "tempat"),
                          ("/lokasi -10.17 123.60", None), ("Sampah menumpuk di got", None)):
        before = len(lines)
        assert session.say(typed)
        assert len(lines) > before, typed
        if expect:
            assert expect in " ".join(lines[before:]).lower(), (typed, lines[before:])
    # The answer to the category's question, anonymous, then send.
    for typed in ("/1", "/2", "/1"):
        assert session.say(typed)
    report = Report.objects.get(contact_phone="+" + PHONE)
    assert report.source == "whatsapp" and report.photos.count() == 1
    assert any(report.ticket in line for line in lines)
    assert not session.say("/keluar")


def test_it_numbers_the_options_of_a_message():
    record = {"text": "Kirim laporan?\nPeriksa dulu.", "buttons": [
        {"id": "ok:send", "title": "Kirim"}, {"id": "ok:edit", "title": "Ubah"}], "rows": []}
    assert chat.render(record) == ["Sigap: Kirim laporan?", "Sigap: Periksa dulu.",
                                   "   /1 Kirim", "   /2 Ubah"]


def test_it_says_when_whatsapp_is_off(settings):
    settings.SIGAP_WHATSAPP_TOKEN = ""
    with pytest.raises(CommandError, match="make chat"):
        call_command("chat", stdout=io.StringIO())


def test_it_explains_what_it_cannot_send():
    lines = []
    session = chat.Chat(server_url="http://127.0.0.1:9", app_secret="s", token="t",
                        phone=PHONE, port=0, out=lines.append)
    assert session.say("/lokasi sini")  # not two numbers
    assert session.say("/7")  # no such option
    assert lines == [chat.USAGE, chat.USAGE]
