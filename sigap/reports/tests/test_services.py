"""The report services: creation, routing, SLA, every transition's rules and history."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from sigap.lib import publicdata
from sigap.reports import services
from sigap.reports.models import Photo, Report, ReportEvent, Support
from sigap.reports.workflow import IllegalTransition, NotAllowed, Status

pytestmark = pytest.mark.django_db


def test_it_routes_a_new_report_by_point_and_category(make_report, now):
    report = make_report("SAMPAH", lat=-10.1716, lng=123.6711)
    assert report.ticket == "KPG-2026-000001"
    assert report.kelurahan.name == "Penfui" and report.kecamatan.name == "Maulafa"
    assert report.agency.code == "DLHK"
    assert report.status == Status.SUBMITTED
    assert report.response_due_at == now + timedelta(hours=24)
    assert report.due_at == now + timedelta(hours=72)
    assert report.h3_cell
    event = report.events.get()
    assert (event.kind, event.new, event.is_public) == ("created", "submitted", True)


def test_it_numbers_tickets_per_city_and_year_in_the_city_zone(make_report, now):
    first = make_report()
    second = make_report()
    # 31 Dec 2026 16:30 UTC is already 1 Jan 2027 in Kupang (WITA, UTC+8).
    from datetime import datetime, timezone
    new_year = make_report(at=datetime(2026, 12, 31, 16, 30, tzinfo=timezone.utc))
    assert [first.ticket, second.ticket, new_year.ticket] == [
        "KPG-2026-000001", "KPG-2026-000002", "KPG-2027-000001"]


def test_it_gives_emergencies_top_priority_and_minutes_to_respond(make_report, now):
    fire = make_report("KEBAKARAN")
    assert fire.priority == 1 and fire.agency.code == "DAMKAR"
    assert fire.response_due_at == now + timedelta(minutes=15)


def test_it_sends_other_to_the_triage_desk(make_report):
    report = make_report("LAINNYA", description="Sesuatu yang lain")
    assert report.agency.code == "KOMINFO" and not report.agency.is_field_agency


def test_it_refuses_a_point_outside_the_city_and_saves_nothing(make_report):
    with pytest.raises(ValidationError) as exc:
        make_report(lat=-10.10, lng=123.58)
    assert "location" in exc.value.message_dict
    assert "luar wilayah" in exc.value.message_dict["location"][0]
    assert not Report.objects.exists()


@pytest.mark.parametrize("description,ok", [("", False), ("x" * 4000, True), ("x" * 5000, False)])
def test_it_checks_the_description(make_report, description, ok):
    if ok:
        assert make_report(description=description)
    else:
        with pytest.raises(ValidationError) as exc:
            make_report(description=description)
        assert "description" in exc.value.message_dict
        assert not Report.objects.exists()


def test_it_requires_the_categorys_required_questions(make_report):
    with pytest.raises(ValidationError) as exc:
        make_report("SAMPAH", answers={})
    assert "attribute[volume]" in exc.value.message_dict
    with pytest.raises(ValidationError):
        make_report("SAMPAH", answers={"volume": "enormous"})
    assert make_report("SAMPAH", answers={"volume": "besar"}).answers == {"volume": "besar"}
    with pytest.raises(ValidationError):
        make_report("FOGGING_DBD", answers={"kasus_dbd": "banyak"})
    assert make_report("FOGGING_DBD", answers={"kasus_dbd": "3"}).answers == {"kasus_dbd": 3.0}


def test_it_strips_exif_and_gps_from_photos(make_report, photo):
    raw = photo(size=(800, 600), exif_gps=True)
    assert Image.open(io.BytesIO(raw)).getexif().get(0x8825)
    report = make_report(photos=[raw])
    stored = report.photos.get()
    with stored.image.open("rb") as fh:
        data = fh.read()
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG" and not image.getexif() and b"SigapTestCam" not in data
    assert stored.width == 800


def test_it_refuses_bad_photos_and_saves_nothing(make_report, photo):
    for bad, code in [(b"not an image at all", "bukan foto"),
                      (photo(size=(400, 300))[:1500], "rusak")]:
        with pytest.raises(ValidationError) as exc:
            make_report(photos=[bad])
        assert code in exc.value.message_dict["photos"][0]
    assert not Report.objects.exists() and not Photo.objects.exists()


def test_it_refuses_photos_over_40_megapixels(make_report, photo, settings):
    settings.SIGAP_MAX_PHOTO_PIXELS = 100 * 100
    with pytest.raises(ValidationError) as exc:
        make_report(photos=[photo(size=(101, 100))])
    assert "megapiksel" in exc.value.message_dict["photos"][0]


def test_it_replays_an_idempotent_create(kupang, category, now):
    data = services.NewReport(category=category("MACET"), lat=-10.17, lng=123.60,
                              description="Macet total")
    first = services.create_report(kupang, data, now=now, idempotency=("web", "abc"))
    again = services.create_report(kupang, data, now=now, idempotency=("web", "abc"))
    assert not first.replayed and again.replayed
    assert again.report.pk == first.report.pk and Report.objects.count() == 1


@pytest.fixture
def staff(make_user):
    return {
        "dispatcher": make_user("dispatcher", "DLHK"),
        "head": make_user("head", "DLHK"),
        "officer": make_user("officer", "DLHK"),
        "other_dispatcher": make_user("dispatcher", "PUPR"),
        "admin": make_user("admin"),
        "citizen": make_user("citizen"),
    }


def test_it_runs_the_happy_path_and_records_every_step(make_report, staff, photo, now):
    report = make_report()
    t = lambda m: now + timedelta(minutes=m)  # noqa: E731
    services.verify(report.pk, actor=staff["dispatcher"], now=t(5))
    services.assign(report.pk, actor=staff["dispatcher"], now=t(6), officer=staff["officer"])
    services.start(report.pk, actor=staff["officer"], now=t(30))
    services.resolve(report.pk, actor=staff["officer"], now=t(90), note="Sudah diangkut",
                     photos=[photo()])
    report.refresh_from_db()
    assert report.status == Status.RESOLVED and report.status_note == "Sudah diangkut"
    assert report.first_response_at == t(5) and report.resolved_at == t(90)
    assert report.team is not None
    proof = report.photos.get(kind=Photo.Kind.PROOF)
    assert proof.event.action == "resolve"
    kinds = list(report.events.values_list("kind", "old", "new"))
    assert kinds == [("created", "", "submitted"), ("status", "submitted", "verified"),
                     ("assigned", "verified", "assigned"), ("status", "assigned", "in_progress"),
                     ("status", "in_progress", "resolved")]


def test_it_refuses_resolve_without_proof(make_report, staff, photo, now):
    report = make_report()
    services.assign(report.pk, actor=staff["dispatcher"], now=now, officer=staff["officer"])
    with pytest.raises(ValidationError) as exc:
        services.resolve(report.pk, actor=staff["officer"], now=now, note="", photos=[])
    assert set(exc.value.message_dict) == {"note", "photo"}
    with pytest.raises(ValidationError):
        services.resolve(report.pk, actor=staff["officer"], now=now, note="ok", photos=[])
    report.refresh_from_db()
    assert report.status == Status.ASSIGNED


def test_an_illegal_transition_changes_nothing(make_report, staff, now):
    report = make_report()
    with pytest.raises(IllegalTransition):
        services.start(report.pk, actor=staff["dispatcher"], now=now)
    with pytest.raises(NotAllowed):
        services.verify(report.pk, actor=staff["other_dispatcher"], now=now)
    with pytest.raises(NotAllowed):
        services.verify(report.pk, actor=staff["citizen"], now=now)
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED and report.events.count() == 1


def test_it_refuses_to_assign_an_officer_of_another_agency(make_report, staff, make_user, now):
    report = make_report()
    pupr_officer = make_user("officer", "PUPR")
    with pytest.raises(ValidationError):
        services.assign(report.pk, actor=staff["dispatcher"], now=now, officer=pupr_officer)
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED and report.officer is None


def test_it_reassigns_to_another_agency_with_a_reason(make_report, staff, now):
    from sigap.agencies.models import Agency

    report = make_report()
    pupr = Agency.objects.get(code="PUPR")
    with pytest.raises(ValidationError):
        services.reassign(report.pk, actor=staff["dispatcher"], now=now, agency=pupr, reason="")
    services.reassign(report.pk, actor=staff["dispatcher"], now=now, agency=pupr,
                      reason="Saluran, bukan sampah")
    report.refresh_from_db()
    assert report.agency == pupr and report.status == Status.SUBMITTED
    event = report.events.last()
    assert (event.kind, event.data) == ("reassigned", {"to": "PUPR"})
    # The first agency has lost it; the new one can act.
    with pytest.raises(NotAllowed):
        services.verify(report.pk, actor=staff["dispatcher"], now=now)
    services.verify(report.pk, actor=staff["other_dispatcher"], now=now)


def test_it_merges_a_duplicate_into_the_kept_report(make_report, staff, make_user, now):
    kept = make_report()
    dup = make_report()
    fan = make_user("citizen")
    services.support(dup.pk, supporter_key="", user=fan, now=now)
    services.support(kept.pk, supporter_key="browser-1", user=None, now=now)
    services.support(dup.pk, supporter_key="browser-1", user=None, now=now)
    services.mark_duplicate(dup.pk, actor=staff["dispatcher"], now=now, of=kept)
    dup.refresh_from_db()
    kept.refresh_from_db()
    assert dup.status == Status.DUPLICATE and dup.duplicate_of == kept
    assert kept.support_count == 2
    assert kept.followers.filter(user=fan).exists()
    assert kept.events.filter(kind="merged").exists()
    with pytest.raises(ValidationError):
        services.mark_duplicate(kept.pk, actor=staff["dispatcher"], now=now, of=kept)


def test_support_counts_one_per_person(make_report, make_user, now):
    report = make_report()
    user = make_user("citizen")
    assert services.support(report.pk, supporter_key="", user=user, now=now)
    assert not services.support(report.pk, supporter_key="", user=user, now=now)
    assert services.support(report.pk, supporter_key="cookie-xyz", user=None, now=now)
    assert not services.support(report.pk, supporter_key="cookie-xyz", user=None, now=now)
    report.refresh_from_db()
    assert report.support_count == 2 == Support.objects.count()


def test_the_reporter_confirms_or_reopens(make_report, staff, make_user, photo, now):
    citizen = make_user("citizen")
    report = make_report(reporter=citizen)
    services.assign(report.pk, actor=staff["dispatcher"], now=now, officer=staff["officer"])
    services.resolve(report.pk, actor=staff["officer"], now=now, note="beres", photos=[photo()])
    with pytest.raises(ValidationError):
        services.reporter_confirms(report.pk, fixed=False, now=now, actor=citizen, reason="")
    services.reporter_confirms(report.pk, fixed=False, now=now, actor=citizen,
                               reason="Masih ada sampah")
    report.refresh_from_db()
    assert report.status == Status.REOPENED
    services.assign(report.pk, actor=staff["dispatcher"], now=now, officer=staff["officer"])
    services.resolve(report.pk, actor=staff["officer"], now=now, note="beres", photos=[photo()])
    services.reporter_confirms(report.pk, fixed=True, now=now, actor=citizen, stars=5,
                               comment="Cepat!")
    report.refresh_from_db()
    assert report.status == Status.CLOSED and report.rating == 5


def test_a_confirmation_whose_rating_fails_does_not_close(make_report, staff, make_user, photo,
                                                          now):
    """Closing and rating are one transaction: a refused rating leaves the report resolved,
    so the citizen can answer again."""
    citizen = make_user("citizen")
    report = make_report(reporter=citizen)
    services.assign(report.pk, actor=staff["dispatcher"], now=now, officer=staff["officer"])
    services.resolve(report.pk, actor=staff["officer"], now=now, note="beres", photos=[photo()])
    with pytest.raises(ValidationError):
        services.reporter_confirms(report.pk, fixed=True, now=now, actor=citizen, stars=9)
    report.refresh_from_db()
    assert report.status == Status.RESOLVED and report.rating is None
    assert not report.events.filter(action="close").exists()


def test_notes_are_public_or_internal(make_report, staff, now):
    report = make_report()
    services.add_note(report.pk, actor=staff["dispatcher"], now=now, text="Tim segera ke lokasi",
                      public=True)
    services.add_note(report.pk, actor=staff["dispatcher"], now=now, text="Pelapor galak",
                      public=False)
    with pytest.raises(NotAllowed):
        services.add_note(report.pk, actor=staff["citizen"], now=now, text="x", public=True)
    report.refresh_from_db()
    assert report.status_note == "Tim segera ke lokasi"
    assert list(report.events.filter(is_public=False).values_list("note", flat=True)) == [
        "Pelapor galak"]


def test_history_is_append_only(make_report):
    event = make_report().events.get()
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()
    assert ReportEvent.objects.count() == 1


def test_auto_assignment_picks_the_kecamatan_team_and_least_loaded_officer(
        make_report, make_user, now):
    from sigap.agencies.models import Agency, Team
    from sigap.cities.models import Area

    dlhk = Agency.objects.get(code="DLHK")
    dlhk.auto_assign = True
    dlhk.save()
    maulafa = Area.objects.get(name="Maulafa", level="kecamatan")
    team = Team.objects.create(agency=dlhk, code="maulafa", name="Tim Maulafa")
    team.kecamatan.add(maulafa)
    busy, free = make_user("officer", dlhk, team=False), make_user("officer", dlhk, team=False)
    off_duty = make_user("officer", dlhk, team=False, on_duty=False)
    team.members.add(busy, free, off_duty)
    dispatcher = make_user("dispatcher", dlhk)
    earlier = make_report(lat=-10.1716, lng=123.6711)
    services.assign(earlier.pk, actor=dispatcher, now=now, officer=busy, team=team)
    report = make_report(lat=-10.1716, lng=123.6711)  # Penfui, Maulafa
    services.verify(report.pk, actor=dispatcher, now=now)
    report.refresh_from_db()
    assert (report.status, report.team, report.officer) == (Status.ASSIGNED, team, free)
    assert report.events.last().actor_role == "system"


def test_it_makes_thumbnails_and_queues_the_event_after_commit(make_report, photo,
                                                               django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report = make_report(photos=[photo(size=(1200, 900))])
    # One callback does the work (the data version's marks do nothing: sigap.lib.publicdata).
    assert len([c for c in callbacks if c is not publicdata._mark]) == 1
    stored = report.photos.get()
    stored.refresh_from_db()
    assert stored.thumbnail
    with stored.thumbnail.open("rb") as fh:
        thumb = Image.open(io.BytesIO(fh.read()))
    assert max(thumb.size) == 360 and not thumb.getexif()


def test_nothing_is_queued_when_the_transaction_fails(make_report, photo,
                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(ValidationError):
            make_report(lat=0, lng=0, photos=[photo()])
    assert callbacks == [] and not Photo.objects.exists()


def test_the_reporters_answer_restarts_a_paused_sla(make_report, staff, make_user, now):
    citizen = make_user("citizen")
    report = make_report(reporter=citizen)
    services.pause_sla(report.pk, actor=staff["dispatcher"], now=now,
                       note="Mohon kirim foto yang lebih jelas")
    due = Report.objects.get(pk=report.pk).due_at
    # Someone else's comment does not restart the clock; the reporter's answer does.
    services.add_comment(report.pk, actor=staff["citizen"], now=now + timedelta(hours=1),
                         text="Saya juga lihat")
    assert Report.objects.get(pk=report.pk).sla_paused_at is not None
    services.add_comment(report.pk, actor=citizen, now=now + timedelta(hours=5),
                         text="Ini fotonya, di depan pasar")
    report.refresh_from_db()
    assert report.sla_paused_at is None
    assert report.due_at == due + timedelta(hours=5)
    assert report.events.filter(kind="sla_resumed", actor_role="system").exists()
