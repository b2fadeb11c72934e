"""SMS in English, every SMS reply within 160 characters, and the rate-limit notice."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone, translation
from django.utils.translation import gettext

from sigap.agencies.models import Agency
from sigap.channels import services, sms
from sigap.channels.models import BlockedNumber, Conversation, InboundMessage
from sigap.channels.services import CityContext
from sigap.channels.tests.test_sms import sms as sms_fixture  # noqa: F401 - the fixture
from sigap.reports.models import Report, Status

PHONE = "6281234500031"
# The longest realistic values: an eight-digit ticket and a long city address.
TICKET = "KPG-2026-12345678"
SITE = "https://pengaduan.kupangkota.go.id"
LINK = f"{SITE}/r/{TICKET}"


@pytest.fixture
def send(sms_fixture):  # noqa: F811 - the SMS fixture, by a name this file can use
    return sms_fixture


def test_report_in_english_is_answered_in_english(send):
    [ask] = send("REPORT garbage oebobo: piling up in the drain")
    assert ask.startswith("Estimated amount of waste?") and "1)Small (one bag)" in ask
    assert len(ask) <= 160
    [done] = send("1")
    report = Report.objects.get()
    assert report.category.code == "SAMPAH" and report.kelurahan.name == "Oebobo"
    assert done.startswith(f"Report {report.ticket} received") and f"/r/{report.ticket}" in done
    assert len(done) <= 160
    assert Conversation.objects.get(channel="sms").language == "en"


def test_the_language_commands_switch_and_lapor_switches_back(send):
    [english] = send("english")
    assert english.startswith("Send: REPORT <problem> <place>: <details>.")
    [ask] = send("report")
    assert ask.startswith("What problem?")
    assert Conversation.objects.get(channel="sms").language == "en"
    [ask] = send("LAPOR sampah")  # the Indonesian keyword: Indonesian again
    assert ask.startswith("Di kelurahan mana?")
    assert Conversation.objects.get(channel="sms").language == "id"
    [back] = send("english")
    assert back.startswith("Which kelurahan?")  # the same question, in the new language
    [back] = send("indonesia")
    assert back.startswith("Di kelurahan mana?")


def test_status_by_sms_in_english_fits_with_the_whole_link(send, make_report):
    report = make_report()
    Report.objects.filter(pk=report.pk).update(status_note="x" * 400)  # never in the SMS
    send("english")
    [reply] = send(f"status {report.ticket}")
    assert reply.startswith(f"{report.ticket}: ") and reply.endswith(f"/r/{report.ticket}")
    assert len(reply) <= 160


def _every_sms_reply(ctx):
    """Every SMS reply Sigap can send, rendered with the longest realistic values."""
    statuses = [str(label) for _value, label in Status.choices]
    agencies = [a.short_name or a.code for a in Agency.objects.filter(city=ctx.city)]
    replies = [sms.help_text(), sms.prompt({}, ctx).text, gettext("Laporan dibatalkan."),
               services._limited_notice(),
               sms.fits(gettext("Tempat \"%(t)s\" tidak ditemukan. Balas nama kelurahan.")
                        % {"t": "W" * 40}),
               gettext("Laporan %(t)s tidak kami temukan.") % {"t": TICKET + "999"}]
    replies += [sms.created_reply(TICKET, name, LINK) for name in agencies + ["W" * 20]]
    replies += [sms.status_reply(TICKET, status, LINK) for status in statuses]
    draft = {"step": "sms"}
    replies.append(sms._ask(draft, ctx).text)  # the category
    draft.update(category="SAMPAH")
    replies.append(sms._ask(draft, ctx).text)  # the place
    draft.update(lat=-10.17, lng=123.60)
    replies.append(sms._ask(draft, ctx).text)  # the description
    draft.update(description="x")
    for _group, cats in ctx.groups():  # every category's required questions
        for code, _name in cats:
            cat = ctx.category(code)
            for q in cat.questions:
                ask = sms._ask({"category": code, "lat": 1, "lng": 1, "description": "x",
                                "answers": {o.code: "a" for o in cat.questions
                                            if o.code != q.code}}, ctx)
                replies.append(ask.text)
    return replies


@pytest.mark.parametrize("language", ["id", "en"])
def test_every_sms_reply_template_fits_one_sms(kupang, language, settings):
    settings.SITE_URL = SITE
    ctx = CityContext(kupang)
    with translation.override(language):
        replies = _every_sms_reply(ctx)
        assert len(replies) > 20
        for text in replies:
            assert len(text) <= sms.SMS_MAX, text
            assert not text.endswith("…"), text  # fits without being cut
        links = [t for t in replies if LINK in t]
        assert len(links) >= 15  # the created and status replies carry the whole link
        assert services._limited_notice().startswith(
            "Too many messages" if language == "en" else "Terlalu banyak")


def test_a_rate_limited_number_is_told_once_in_its_language(fake_wa, settings):
    settings.SIGAP_CHANNELS_MAX_PER_HOUR = 3
    Conversation.objects.create(channel="whatsapp", phone=PHONE, language="en",
                                created_at=timezone.now(), updated_at=timezone.now())
    for n in range(7):
        fake_wa.text(PHONE, f"hello {n}")
    states = list(InboundMessage.objects.filter(conversation__phone=PHONE)
                  .values_list("state", flat=True))
    assert states == ["done"] * 3 + ["limited"] * 4
    notices = [t for t in fake_wa.texts_to(PHONE) if "Too many messages" in t]
    assert notices == ["Too many messages from this number in an hour. We will not handle "
                       "further messages for a while; please try again later."]
    assert not any("Terlalu banyak" in t for t in fake_wa.texts_to(PHONE))

    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        for n in range(5):  # a new hour: 3 more handled, then refused and told once more
            fake_wa.text(PHONE, f"again {n}")
        assert len([t for t in fake_wa.texts_to(PHONE) if "Too many messages" in t]) == 2


def test_a_rate_limited_sms_number_is_told_once_within_160(send, settings):
    settings.SIGAP_CHANNELS_MAX_PER_HOUR = 2
    replies = [send("LAPOR") for _ in range(5)]
    notices = [r for batch in replies for r in batch if r.startswith("Terlalu banyak")]
    assert len(notices) == 1 and len(notices[0]) <= 160
    assert replies[3:] == [[], []]  # after the notice: silence


def test_a_blocked_number_is_told_nothing(fake_wa, send, settings):
    BlockedNumber.objects.create(phone="+" + PHONE, reason="abuse")
    settings.SIGAP_CHANNELS_MAX_PER_HOUR = 1
    for _ in range(3):
        fake_wa.text(PHONE, "halo")
    assert fake_wa.sent_to(PHONE) == []
    assert set(InboundMessage.objects.values_list("state", flat=True)) == {"blocked"}
    BlockedNumber.objects.create(phone="+6281234567890", reason="abuse")
    assert send("LAPOR sampah oebobo: x") == [] and send("LAPOR") == []
    assert not Report.objects.exists()
