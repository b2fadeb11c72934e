"""Shared fixtures: the Kupang city pack, users by role, a frozen clock, photos."""

import functools
import io
from datetime import datetime, timezone

import django.test
import pytest
import redis
from PIL import Image

from sigap.cities import tenancy

# The browser tests' fixtures (Chromium, phone and desk screens), shared by every app's tests.
pytest_plugins = ["sigap.citizen.tests.browsing"]

NOW = datetime(2026, 11, 2, 2, 0, tzinfo=timezone.utc)  # Monday 10:00 WITA


@pytest.fixture(autouse=True)
def _system_scope():
    """Tests set up and check rows as the install's own work does, across cities
    (sigap.cities.tenancy); a request they make is scoped by the middleware, as in
    production."""
    token = tenancy.enter_system()
    yield
    tenancy.leave(token)


@pytest.fixture(autouse=True, scope="session")
def _private_cache():
    """Give each test process its own cache namespace (Redis is shared between processes)."""
    import os

    from django.conf import settings
    from django.test import override_settings

    caches = {name: {**conf, "KEY_PREFIX": f"test{os.getpid()}"}
              for name, conf in settings.CACHES.items()}
    with override_settings(CACHES=caches):
        yield


@pytest.fixture(autouse=True)
def _fresh_throttles(django_db_blocker):
    """Clear rate-limit counters after each test, this process's only."""
    yield
    from django.db import DatabaseError

    with django_db_blocker.unblock():
        try:
            clear_this_process_cache()
        except DatabaseError:  # no test database was set up in this run (no db tests)
            pass


def clear_this_process_cache():
    """Empty this test process's cache. The database cache lives in this process's test
    database; on Redis the test processes share the cache's database, whose clear() is a
    FLUSHDB that would empty the others' too, so only the keys under this process's prefix
    are deleted."""
    from django.conf import settings
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    cache = caches["default"]  # the backend itself: `django.core.cache.cache` is a proxy
    if not isinstance(cache, RedisCache):
        cache.clear()
        return
    client = _redis_client(settings.CACHES["default"]["LOCATION"])
    keys = list(client.scan_iter(match=f"{cache.key_prefix}:*", count=1000))
    if keys:
        client.unlink(*keys)


@functools.cache
def _redis_client(url):
    return redis.Redis.from_url(url)


@pytest.fixture(autouse=True, scope="session")
def _huey_immediate():
    """Run background tasks inline unless a test starts a real worker."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield


@pytest.fixture(autouse=True)
def _no_coalescing(settings):
    """Citizens' updates go out at once in tests; the coalescing tests set a window."""
    settings.SIGAP_NOTIFY_COALESCE_SECONDS = 0


@pytest.fixture(autouse=True)
def _no_configuration_checks(settings):
    """A request never reads the configuration version from the cache in tests (it would be
    one query more, at random, in tests that count them); tests/test_cluster_memo.py does."""
    settings.SIGAP_CONFIG_CHECK_SECONDS = 0


@pytest.fixture(autouse=True)
def _tmp_media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Users are made by the dozen: a fast hasher keeps the suite quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Return run(fn, *args, **kw): call it and run its on-commit side effects (the queue)."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


@pytest.fixture
def now():
    return NOW


# Kota Kupang's city pack (about a second to load) is loaded once into each test database,
# committed, and every test's transaction rolls back to it. A transactional test (live
# server, real worker) empties the tables when it ends; the pack is loaded again before the
# next database test starts, outside that test's transaction.
_PACK = {"flushed": False}


def _load_kupang():
    from sigap.cities.citypack import load_pack
    from sigap.cities.models import City

    if not City.objects.filter(code="kupang").exists():
        load_pack("kupang")
    _PACK["flushed"] = False


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        _load_kupang()


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    names = getattr(item, "fixturenames", ())
    return bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(names))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    if _PACK["flushed"] and "django_db_setup" in getattr(item, "fixturenames", ()):
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            _load_kupang()
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    yield
    if _transactional(item):
        _PACK["flushed"] = True


@pytest.fixture
def kupang(db):
    """Return Kota Kupang (its pack is loaded once per test database, see above)."""
    from sigap.cities.citypack import load_pack
    from sigap.cities.models import City

    city = City.objects.filter(code="kupang").first()
    if city is None:  # a test removed it
        load_pack("kupang")
        city = City.objects.get(code="kupang")
    return city


def _pack(code):
    from sigap.cities.citypack import load_pack
    from sigap.cities.models import City

    city = City.objects.filter(code=code).first()
    if city is None:  # loaded inside the test's transaction: rolled back after it
        load_pack(code)
        city = City.objects.get(code=code)
    return city


@pytest.fixture
def kabupaten_kupang(kupang):
    """Return Kabupaten Kupang, the regency around the city (loaded for the test only)."""
    return _pack("kabupaten-kupang")


@pytest.fixture
def jayapura(kupang):
    """Return Kota Jayapura, in another time zone (loaded for the test only)."""
    return _pack("jayapura")


@pytest.fixture
def province(kupang, kabupaten_kupang, jayapura):
    """Return the three cities of the demo install (Kupang, the regency, Jayapura)."""
    return {"kupang": kupang, "kabupaten-kupang": kabupaten_kupang, "jayapura": jayapura}


@pytest.fixture
def category(kupang):
    from sigap.agencies.models import Category

    def get(code="SAMPAH"):
        return Category.objects.select_related("agency").get(city=kupang, code=code)

    return get


@pytest.fixture
def make_user(kupang):
    from sigap.accounts.models import User
    from sigap.agencies.models import Agency, Team

    counter = {"n": 0}

    def make(role="citizen", agency=None, team=True, **extra):
        counter["n"] += 1
        if isinstance(agency, str):
            agency = Agency.objects.get(city=kupang, code=agency)
        if role in ("admin", "executive") and "city" not in extra:
            extra["city"] = kupang  # a city's office staff belong to their city
        user = User.objects.create_user(
            username=extra.pop("username", f"{role}-{counter['n']}"), password="pw-Sigap-2026",
            role=role, agency=agency, **extra)
        if role == "officer" and agency is not None and team:
            t, _ = Team.objects.get_or_create(agency=agency, code=f"{agency.code.lower()}-qr",
                                              defaults={"name": f"QR {agency.code}"})
            t.members.add(user)
        return user

    return make


def jpeg_bytes(size=(64, 48), color=(200, 30, 30), exif_gps=False, fmt="JPEG"):
    image = Image.new("RGB", size, color)
    out = io.BytesIO()
    kwargs = {}
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "SigapTestCam"  # Make
        gps = {1: "S", 2: (10.0, 10.0, 0.0), 3: "E", 4: (123.0, 36.0, 0.0)}
        exif[0x8825] = gps
        kwargs["exif"] = exif
    image.save(out, fmt, **kwargs)
    return out.getvalue()


@pytest.fixture
def photo():
    return jpeg_bytes


@pytest.fixture
def make_report(kupang, category, now):
    from sigap.reports import services

    def make(code="SAMPAH", lat=-10.17, lng=123.60, at=None, **kwargs):
        cat = category(code)
        answers = kwargs.pop("answers", None)
        if answers is None:
            answers = {a.code: (a.values[0][0] if a.values else "x")
                       for a in cat.attributes.filter(required=True)}
        data = services.NewReport(category=cat, lat=lat, lng=lng,
                                  description=kwargs.pop("description", "Tumpukan sampah"),
                                  answers=answers, **kwargs)
        return services.create_report(kupang, data, now=at or now).report

    return make


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in Indonesian: a client request in English (LocaleMiddleware) leaves
    English active in the thread, which would leak into the next test on the same worker."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_memos():
    """Empty this process's in-memory memos (city, categories, API keys, answers) per test."""
    from sigap.lib import memo

    memo.clear_all()
    yield
    memo.clear_all()


def pass_second_factor(client, user) -> None:
    """Pass the second factor for real in `client`'s session: give `user` a confirmed
    authenticator (django-otp's TOTPDevice) and mark the session verified with it, as
    django_otp.login does after a right code (accounts/tests/test_twofactor.py goes through
    the pages themselves)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or \
        TOTPDevice.objects.create(user=user, name="test authenticator", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


class Client(django.test.Client):
    """The test client. Its force_login() of a staff account (any staff role, or anyone who
    may open the Django admin) also passes the second factor (`pass_second_factor`), as every
    staff door asks; `force_login(user, second_factor=False)` leaves it owed."""

    def force_login(self, user, backend=None, second_factor=True):
        super().force_login(user, backend)
        from sigap.accounts.models import STAFF_ROLES

        from sigap.accounts import twofactor

        if second_factor and (user.role in STAFF_ROLES or user.is_staff or user.is_superuser
                              or twofactor.is_required(user)):
            pass_second_factor(self, user)


@pytest.fixture
def client():
    """A test client whose force_login() passes a staff member's second factor."""
    return Client()


@pytest.fixture
def admin_client(db, admin_user):
    """pytest-django's admin_client, past the second factor like every staff sign-in here."""
    client = Client()
    client.force_login(admin_user)
    return client
