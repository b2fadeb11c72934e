"""Moderation: flags once per person, the city's queue, hide and keep, hidden everywhere the
public looks but in the history for staff, the word filter that holds a comment, one city's
queue never showing another's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from sigap.reports import services
from sigap.reports.models import BlockedWord, Flag, Moderation, Report, ReportEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def commented(make_report, make_user, now, photo):
    """A public report with a photo and a citizen's comment."""
    report = make_report(photos=[photo()])
    writer = make_user(display_name="Bu Maria")
    event = services.add_comment(report.pk, actor=writer, now=now,
                                 text="Petugasnya malas sekali, dasar bodoh")
    return report, event


def desk(make_user, code="DLHK", city="kupang"):
    from sigap.agencies.models import Agency

    return make_user("dispatcher", agency=Agency.objects.get(city__code=city, code=code))


# --- Flags ----------------------------------------------------------------------------------

def test_a_flag_is_counted_once_per_person(commented, make_user, now):
    _report, event = commented
    citizen = make_user()
    row, added = services.flag("comment", event.pk, flagger=f"u:{citizen.pk}", user=citizen,
                               reason="abuse", now=now)
    assert added and row.flag_count == 1 and row.state == "flagged"
    row, added = services.flag("comment", event.pk, flagger=f"u:{citizen.pk}", user=citizen,
                               reason="spam", now=now)
    assert not added and row.flag_count == 1
    row, added = services.flag("comment", event.pk, flagger="d:browser-1", reason="spam",
                               now=now)
    assert added and row.flag_count == 2
    assert Flag.objects.count() == 2


def test_a_flagged_comment_stays_shown_until_the_desk_decides(client, commented, now):
    report, event = commented
    services.flag("comment", event.pk, flagger="d:x", reason="abuse", now=now)
    assert "dasar bodoh" in client.get(report.get_absolute_url()).content.decode()


def test_only_public_comments_and_photos_can_be_flagged(make_report, make_user, now, photo):
    secret = make_report(is_public=False, photos=[photo()])
    with pytest.raises(ValidationError):
        services.flag("photo", secret.photos.get().pk, flagger="d:x", reason="abuse", now=now)
    public = make_report()
    note = services.add_note(public.pk, actor=desk(make_user), now=now, text="internal",
                             public=False)
    with pytest.raises(ValidationError):
        services.flag("comment", note.pk, flagger="d:x", reason="abuse", now=now)
    with pytest.raises(ValidationError):
        services.flag("comment", 999999, flagger="d:x", reason="abuse", now=now)


def test_a_visitor_flags_from_the_report_page_once(client, commented):
    report, event = commented
    page = client.get(report.get_absolute_url()).content.decode()
    assert 'name="kind" value="comment"' in page and 'name="kind" value="photo"' in page
    url = reverse("citizen:flag", args=[report.ticket])
    for _ in range(2):
        answer = client.post(url, {"kind": "comment", "id": event.pk, "reason": "abuse"},
                             follow=True)
    assert "Anda sudah melaporkan konten ini" in answer.content.decode()
    assert Moderation.objects.get(event=event).flag_count == 1


def test_visitors_flags_are_rate_limited_by_address(client, make_report, photo, settings):
    settings.SIGAP_FLAGS_PER_ADDRESS = ["2/10min"]
    report = make_report(photos=[photo(), photo(), photo()])
    url = reverse("citizen:flag", args=[report.ticket])
    for p in report.photos.all():
        answer = client.post(url, {"kind": "photo", "id": p.pk, "reason": "spam"}, follow=True)
    assert "Terlalu banyak laporan konten" in answer.content.decode()
    assert Flag.objects.count() == 2


# --- The desk's decision --------------------------------------------------------------------

def test_a_hidden_comment_leaves_every_public_surface(client, commented, make_user, now):
    report, event = commented
    services.flag("comment", event.pk, flagger="d:x", reason="abuse", now=now)
    row = Moderation.objects.get(event=event)
    services.decide(row.pk, "hide", actor=desk(make_user), reason="Menghina", now=now)
    assert "dasar bodoh" not in client.get(report.get_absolute_url()).content.decode()
    api = client.get(f"/api/v1/reports/{report.ticket}/").json()
    assert all("dasar bodoh" not in (e["note"] or "") for e in api["timeline"])
    comments = client.get(f"/api/v1/reports/{report.ticket}/comments/").json()
    assert comments == []
    assert Report.objects.get(pk=report.pk).comment_count == 0


# Each step commits, as requests do: Open311's read cache follows the data version, which
# is bumped once per transaction (one test transaction would keep the first answer).
@pytest.mark.django_db(transaction=True)
def test_a_hidden_photo_leaves_every_public_surface(client, commented, make_user, now):
    from sigap.reports import anonymity

    report, _event = commented
    photo = report.photos.get()
    anonymity.make_public_copy(photo.pk, now=now)  # the worker's blurred public copy
    photo.refresh_from_db()
    name = photo.public_url.rsplit("/", 1)[-1]
    assert name in client.get(f"/open311/v2/requests/{report.ticket}.json").content.decode()
    row, _ = services.flag("photo", photo.pk, flagger="d:x", reason="privacy", now=now)
    services.decide(row.pk, "hide", actor=desk(make_user), reason="Wajah anak", now=now)
    assert name not in client.get(report.get_absolute_url()).content.decode()
    assert client.get(f"/api/v1/reports/{report.ticket}/").json()["photos"] == []
    open311 = client.get(f"/open311/v2/requests/{report.ticket}.json").content.decode()
    assert name not in open311


def test_hidden_content_stays_in_the_history_for_staff_with_who_when_why(
        client, commented, make_user, now):
    report, event = commented
    services.flag("comment", event.pk, flagger="d:x", reason="abuse", now=now)
    moderator = desk(make_user)
    services.decide(Moderation.objects.get(event=event).pk, "hide", actor=moderator,
                    reason="Menghina petugas", now=now + timedelta(minutes=5))
    client.force_login(moderator)
    page = client.get(reverse("backoffice:report", args=[report.ticket])).content.decode()
    assert "dasar bodoh" in page and "Disembunyikan dari publik" in page
    assert "Menghina petugas" in page and moderator.username in page
    internal = ReportEvent.objects.get(report=report, kind="internal_note")
    assert internal.data["decision"] == "hide" and not internal.is_public
    assert internal.actor == moderator


def test_keep_clears_the_item_from_the_queue_and_keeps_it_shown(client, commented, make_user,
                                                                 now):
    report, event = commented
    services.flag("comment", event.pk, flagger="d:x", reason="abuse", now=now)
    moderator = desk(make_user)
    services.decide(Moderation.objects.get(event=event).pk, "keep", actor=moderator, now=now)
    assert not Moderation.objects.waiting().exists()
    assert "dasar bodoh" in client.get(report.get_absolute_url()).content.decode()


def test_hiding_needs_a_reason(commented, make_user, now):
    _report, event = commented
    row, _ = services.flag("comment", event.pk, flagger="d:x", reason="abuse", now=now)
    with pytest.raises(ValidationError):
        services.decide(row.pk, "hide", actor=desk(make_user), reason=" ", now=now)


# --- Per city -------------------------------------------------------------------------------

def test_each_city_sees_and_decides_its_own_queue_only(client, commented, jayapura,
                                                       make_user, now):
    report, event = commented
    services.flag("comment", event.pk, flagger="d:x", reason="abuse", now=now)
    row = Moderation.objects.get(event=event)
    papua = desk(make_user, city="jayapura")
    with pytest.raises(PermissionDenied):
        services.decide(row.pk, "hide", actor=papua, reason="x", now=now)
    client.force_login(papua)
    page = client.get(reverse("backoffice:moderation")).content.decode()
    assert "Kota Jayapura" in page and report.ticket not in page
    # Not even found: Kupang's rows are outside a Jayapura desk's scope (decision 0016).
    assert client.post(reverse("backoffice:moderation_decide", args=[row.pk]),
                       {"decision": "hide", "reason": "x"}).status_code == 404
    client.force_login(desk(make_user))
    page = client.get(reverse("backoffice:moderation")).content.decode()
    assert report.ticket in page and "dasar bodoh" in page


def test_who_keeps_the_queue(client, make_user, commented, now):
    for role, agency, code in [("officer", "DLHK", 403), ("head", "DLHK", 403),
                               ("executive", None, 403), ("citizen", None, 403),
                               ("dispatcher", "DLHK", 200), ("admin", None, 200)]:
        client.force_login(make_user(role, agency=agency))
        assert client.get(reverse("backoffice:moderation")).status_code == code, role


def test_the_queue_lists_counts_and_reasons_without_a_query_per_row(
        client, make_report, make_user, now, django_assert_max_num_queries):
    for n in range(6):
        report = make_report()
        event = services.add_comment(report.pk, actor=make_user(), now=now, text=f"k{n}")
        for who in range(n % 3 + 1):
            services.flag("comment", event.pk, flagger=f"d:{n}-{who}", reason="spam", now=now)
    client.force_login(desk(make_user))
    client.get(reverse("backoffice:moderation"))
    with django_assert_max_num_queries(20):
        page = client.get(reverse("backoffice:moderation")).content.decode()
    assert page.count('id="mod-') == 6 and "3 laporan warga" in page


# --- The word filter ------------------------------------------------------------------------

def test_a_comment_with_a_filtered_word_is_held_and_the_citizen_told(client, make_report,
                                                                     make_user, now):
    report = make_report()
    services.set_words(report.city_id, "bodoh\nBangsat", actor=desk(make_user), now=now)
    assert sorted(BlockedWord.objects.values_list("word", flat=True)) == ["bangsat", "bodoh"]
    writer = make_user()
    client.force_login(writer)
    answer = client.post(reverse("citizen:comment", args=[report.ticket]),
                         {"text": "Dasar BODOH, belum diangkut juga"}, follow=True)
    body = answer.content.decode()
    assert "menunggu tinjauan petugas" in body
    assert "belum diangkut juga" not in body  # not published ...
    event = ReportEvent.objects.get(report=report, kind="comment")
    assert event.note == "Dasar BODOH, belum diangkut juga"  # ... and nothing lost
    row = Moderation.objects.get(event=event)
    assert row.state == "held" and row.held_for == "bodoh"
    assert Report.objects.get(pk=report.pk).comment_count == 0
    services.decide(row.pk, "keep", actor=desk(make_user), now=now)
    assert "belum diangkut juga" in client.get(report.get_absolute_url()).content.decode()
    assert Report.objects.get(pk=report.pk).comment_count == 1


def test_the_filter_matches_whole_words_of_its_own_city_only(make_report, make_user, jayapura,
                                                             now):
    report = make_report()
    services.set_words(jayapura.pk, "babi", actor=desk(make_user, city="jayapura"), now=now)
    event = services.add_comment(report.pk, actor=make_user(), now=now, text="Ada babi lewat")
    assert event.held_for == ""  # Jayapura's word, Kupang's report
    services.set_words(report.city_id, "babi", actor=desk(make_user), now=now)
    assert services.add_comment(report.pk, actor=make_user(), now=now,
                                text="Kebabian").held_for == ""
    assert services.add_comment(report.pk, actor=make_user(), now=now,
                                text="dasar Babi!").held_for == "babi"


def test_the_api_says_a_held_comment_waits(client, make_report, make_user, now):
    from rest_framework.test import APIClient

    report = make_report()
    services.set_words(report.city_id, "bodoh", actor=desk(make_user), now=now)
    api = APIClient()
    api.force_authenticate(make_user())
    answer = api.post(f"/api/v1/reports/{report.ticket}/comments/", {"text": "bodoh"},
                      format="json")
    assert answer.status_code == 202
    assert answer.json()["held"] is True and "menunggu tinjauan" in answer.json()["message"]
    assert api.get(f"/api/v1/reports/{report.ticket}/comments/").json() == []


def test_the_desk_edits_its_citys_words_and_keeps_what_it_typed_on_error(client, make_user,
                                                                         kupang):
    client.force_login(desk(make_user))
    url = reverse("backoffice:moderation_words")
    client.post(url, {"words": "anjing, bodoh\nbodoh"})
    assert sorted(BlockedWord.objects.filter(city=kupang).values_list("word", flat=True)) == [
        "anjing", "bodoh"]
    long = "x" * 101
    answer = client.post(url, {"words": f"anjing\n{long}"})
    assert answer.status_code == 400 and long in answer.content.decode()
    assert BlockedWord.objects.filter(city=kupang).count() == 2
