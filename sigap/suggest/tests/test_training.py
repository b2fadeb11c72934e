"""The worker trains each city's suggester from its pack and its own confirmed history; the
web processes load the newest version."""

from datetime import timedelta

import pytest

from sigap.agencies.models import Category
from sigap.cities.citypack import load_pack
from sigap.lib import memo
from sigap.reports import services
from sigap.suggest import services as suggester, tasks, training
from sigap.suggest.models import CategoryPhrase, SuggestionModel


def test_the_pack_loads_its_phrases_per_category(kupang):
    phrases = CategoryPhrase.objects.filter(category__city=kupang)
    assert phrases.filter(category__code="BANJIR_DRAINASE", text="got tasumbat").exists()
    assert set(phrases.values_list("language", flat=True)) == {"id", "en", "mkn"}


def test_a_second_load_changes_nothing_and_a_removed_phrase_goes(kupang):
    result = load_pack("kupang")
    assert "phrase" not in result.created and "phrase" not in result.updated
    extra = CategoryPhrase.objects.create(category=Category.objects.get(
        city=kupang, code="SAMPAH"), language="id", text="kalimat yang tidak ada di pack")
    result = load_pack("kupang")
    assert result.updated["phrase"] == 1
    assert not CategoryPhrase.objects.filter(pk=extra.pk).exists()


def test_a_pack_load_queues_a_training_once_committed(kupang, committed, monkeypatch):
    queued = []
    monkeypatch.setattr(tasks, "retrain_city", lambda city_id: queued.append(city_id))
    committed(load_pack, "kupang")
    assert queued == [kupang.pk]


def test_it_learns_the_category_the_desk_gave_not_the_citizens(kupang, make_report, make_user,
                                                              category, now):
    admin = make_user("admin")
    for i in range(3):
        report = make_report("LAINNYA", description="ada ular sanca masuk kandang ayam")
        services.recategorise(report.pk, actor=admin, now=now + timedelta(minutes=i),
                              category=category("KESEHATAN"))
    seen = training.history(kupang)
    assert seen[("ada ular sanca masuk kandang ayam", "KESEHATAN")] == 3
    assert ("ada ular sanca masuk kandang ayam", "LAINNYA") not in seen
    training.retrain(kupang, now=now)
    found, _version = suggester.suggest(kupang, "ular sanca di kandang")
    assert found[0].code == "KESEHATAN"


def test_waiting_and_rejected_reports_teach_nothing(kupang, make_report, make_user, now):
    admin = make_user("admin")
    make_report("SAMPAH", description="laporan yang masih menunggu")
    rejected = make_report("SAMPAH", description="laporan yang ditolak desk")
    services.reject(rejected.pk, actor=admin, now=now, reason="Bukan masalah kota")
    verified = make_report("SAMPAH", description="laporan yang diverifikasi desk")
    services.verify(verified.pk, actor=admin, now=now)
    assert set(training.history(kupang)) == {("laporan yang diverifikasi desk", "SAMPAH")}


def test_each_training_is_a_new_version_and_old_ones_go(kupang, now):
    versions = [training.retrain(kupang, now=now).version for _ in range(4)]
    assert versions == sorted(versions) and len(set(versions)) == 4
    kept = list(SuggestionModel.objects.filter(city=kupang).values_list("version", flat=True))
    assert sorted(kept) == versions[-(training.KEEP + 1):]


def test_a_web_process_picks_up_the_newer_version(kupang, now, settings):
    settings.SIGAP_SUGGEST_CHECK_SECONDS = 3600
    first = training.retrain(kupang, now=now)
    assert suggester.suggest(kupang, "sampah menumpuk")[1] == first.version
    second = training.retrain(kupang, now=now)
    assert suggester.suggest(kupang, "sampah menumpuk")[1] == first.version  # kept a while
    memo.clear_all()  # the check interval passed
    assert suggester.suggest(kupang, "sampah menumpuk")[1] == second.version


def test_the_cities_learn_apart(kupang, jayapura, now):
    training.retrain(jayapura, now=now)
    training.retrain(kupang, now=now)
    found, _v = suggester.suggest(jayapura, "tanah longsor menutup jalan")
    assert found[0].code == "BENCANA"  # Jayapura's own category
    found, _v = suggester.suggest(kupang, "tanah longsor menutup jalan")
    assert "BENCANA" not in [s.code for s in found]  # Kupang has none


def test_the_nightly_job_trains_every_active_city(kupang, jayapura, now):
    before = SuggestionModel.objects.count()
    assert tasks.retrain_all(now=now) == 2
    assert SuggestionModel.objects.count() >= min(before + 2, 2 * (training.KEEP + 1))
    assert SuggestionModel.objects.filter(city=jayapura).exists()


def test_an_inactive_category_is_never_suggested(kupang, now):
    training.retrain(kupang, now=now)
    Category.objects.filter(city=kupang, code="BANJIR_DRAINASE").update(is_active=False)
    memo.clear_all()
    found, _v = suggester.suggest(kupang, "got tasumbat air naik")
    assert "BANJIR_DRAINASE" not in [s.code for s in found]


@pytest.mark.parametrize("text", ["sampah", "lampu merah mati di simpang"])
def test_asking_again_costs_no_query(kupang, now, text,
                                                    django_assert_max_num_queries):
    training.retrain(kupang, now=now)
    suggester.suggest(kupang, text)
    with django_assert_max_num_queries(0):
        suggester.suggest(kupang, text)
