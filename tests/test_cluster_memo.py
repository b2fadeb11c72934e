"""Configuration memos follow a version in the shared cache: an edit made in one process
(the admin on one node, `loadcity` on another machine) empties the others' memos within
SIGAP_CONFIG_CHECK_SECONDS."""

import pytest
from django.core.cache import cache

from sigap.agencies.models import Category
from sigap.cities import locate
from sigap.lib import memo


@pytest.fixture
def window(settings):
    settings.SIGAP_CONFIG_CHECK_SECONDS = 5
    memo.forget_configuration_check()
    memo.check_configuration(now=0.0)  # this process has seen the current version
    yield 5
    memo.forget_configuration_check()


def another_process_changes_the_configuration():
    cache.set(memo.CONFIGURATION_VERSION_KEY, "set-by-another-node", timeout=None)


@pytest.mark.django_db
def test_a_change_elsewhere_reaches_this_process_within_the_window(window):
    kept = memo.configuration()
    kept.put("categories", "old names")
    another_process_changes_the_configuration()
    assert not memo.check_configuration(now=4.9)  # not looked again yet
    assert kept.get("categories") == "old names"
    assert memo.check_configuration(now=5.0)
    assert kept.get("categories") is None
    kept.put("categories", "new names")
    assert not memo.check_configuration(now=10.0)  # same version: kept
    assert kept.get("categories") == "new names"


@pytest.mark.django_db
def test_the_prepared_boundaries_follow_the_configuration(window, kupang):
    first = locate.index_for(kupang)
    assert locate.index_for(kupang) is first
    another_process_changes_the_configuration()
    memo.check_configuration(now=5.0)
    assert locate.index_for(kupang) is not first


@pytest.mark.django_db
def test_memos_that_do_not_follow_the_configuration_are_kept(window):
    answers = memo.Memo(30)
    answers.put("page", "cached under its own data version")
    another_process_changes_the_configuration()
    memo.check_configuration(now=5.0)
    assert answers.get("page") == "cached under its own data version"


@pytest.mark.django_db
def test_an_edit_of_a_category_sets_a_new_version_once_committed(
        kupang, django_capture_on_commit_callbacks):
    before = cache.get(memo.CONFIGURATION_VERSION_KEY)
    category = Category.objects.get(city=kupang, code="SAMPAH")
    with django_capture_on_commit_callbacks(execute=True):
        category.name_id = "Sampah liar"
        category.save()
    after = cache.get(memo.CONFIGURATION_VERSION_KEY)
    assert after and after != before
    with django_capture_on_commit_callbacks(execute=True):
        Category.objects.filter(pk=category.pk).update(order=1)
    assert cache.get(memo.CONFIGURATION_VERSION_KEY) != after


@pytest.mark.django_db
def test_the_check_is_off_at_zero(settings):
    settings.SIGAP_CONFIG_CHECK_SECONDS = 0
    memo.forget_configuration_check()
    another_process_changes_the_configuration()
    assert not memo.check_configuration(now=1e9)


@pytest.mark.django_db
def test_a_read_cached_before_this_process_saw_an_edit_is_not_served_after(window, rf):
    from django.http import HttpResponse

    from sigap.open311 import readcache

    built = []

    def build():
        built.append(1)
        return HttpResponse(f"answer {len(built)}")

    request = rf.get("/open311/v2/services.json")
    assert readcache.answer(request, build).content == b"answer 1"
    assert readcache.answer(request, build).content == b"answer 1"  # cached
    another_process_changes_the_configuration()  # the data version is the same
    memo.check_configuration(now=5.0)
    assert readcache.answer(request, build).content == b"answer 2"
