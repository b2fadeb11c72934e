"""Sigap settings: one file, read from environment variables, loud on bad values.

Development defaults are embedded (SQLite in var/, files in var/media/, Huey on SQLite).
Production mode (SIGAP_ENV=production) refuses an insecure secret key or DEBUG on; see
the system checks in sigap/apps.py.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
import os
import tempfile

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


SIGAP_ENV = env_str("SIGAP_ENV", "development")
if SIGAP_ENV not in ("development", "production", "test"):
    raise ImproperlyConfigured("SIGAP_ENV must be development, production or test")
PRODUCTION = SIGAP_ENV == "production"

DEV_SECRET_KEY = "insecure-dev-key-change-me-in-production"


def secret_key_from(path: Path) -> str:
    """Return the secret key kept in `path`, generating it (owner-only) on first use."""
    import secrets

    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


# `make serve` (the product's embedded server) passes SIGAP_SECRET_KEY_FILE=var/secret_key:
# a key generated once and kept; a real deployment sets SIGAP_SECRET_KEY.
_SECRET_KEY_FILE = env_str("SIGAP_SECRET_KEY_FILE", "")
SECRET_KEY = env_str("SIGAP_SECRET_KEY", "") or (
    secret_key_from(Path(_SECRET_KEY_FILE)) if _SECRET_KEY_FILE else DEV_SECRET_KEY)
DEBUG = env_bool("SIGAP_DEBUG", not PRODUCTION)
# `<city code>.localhost` shows that city's public face on a developer's machine (browsers
# resolve *.localhost to this machine; docs/decisions/0016): `jayapura.localhost:8000`.
ALLOWED_HOSTS = env_list(
    "SIGAP_ALLOWED_HOSTS",
    [] if PRODUCTION else ["127.0.0.1", "localhost", ".localhost", "testserver", "[::1]"]
)
CSRF_TRUSTED_ORIGINS = env_list("SIGAP_CSRF_TRUSTED_ORIGINS", [])
# Proxies (addresses or CIDR networks) whose X-Forwarded-For is believed (sigap/lib/clientip.py);
# empty = none: the peer address is the client's and the header is ignored.
SIGAP_TRUSTED_PROXIES = env_list("SIGAP_TRUSTED_PROXIES", [])
try:
    import ipaddress as _ipaddress

    for _proxy in SIGAP_TRUSTED_PROXIES:
        _ipaddress.ip_network(_proxy, strict=False)
except ValueError as _exc:
    raise ImproperlyConfigured(f"SIGAP_TRUSTED_PROXIES is malformed: {_exc}") from None
SITE_URL = env_str("SIGAP_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# A citizen's updates about one report within this many seconds go out as one message.
SIGAP_NOTIFY_COALESCE_SECONDS = env_int("SIGAP_NOTIFY_COALESCE_SECONDS", 30)
# Following a place (sigap.follows): new reports and fixes there within this many minutes go
# out as one message; the daily digest leaves at this hour of the city's own clock.
SIGAP_FOLLOW_WINDOW_MINUTES = env_int("SIGAP_FOLLOW_WINDOW_MINUTES", 10)
SIGAP_FOLLOW_DIGEST_HOUR = env_int("SIGAP_FOLLOW_DIGEST_HOUR", 7)
if not 0 <= SIGAP_FOLLOW_DIGEST_HOUR <= 23:
    raise ImproperlyConfigured("SIGAP_FOLLOW_DIGEST_HOUR must be an hour, 0 to 23")
VAR_DIR = Path(env_str("SIGAP_VAR_DIR", str(BASE_DIR / "var")))
# The embedded databases (SQLite, Huey) live here; it must exist before they are opened.
VAR_DIR.mkdir(parents=True, exist_ok=True)

# Web push (sigap.duty.push): the VAPID key pair is generated on the first push into this
# file (owner-only), like the secret key; SIGAP_VAPID_SUBJECT names who runs the server.
SIGAP_VAPID_KEY_FILE = Path(env_str("SIGAP_VAPID_KEY_FILE", str(VAR_DIR / "vapid_key.pem")))
SIGAP_VAPID_SUBJECT = env_str("SIGAP_VAPID_SUBJECT", "mailto:admin@localhost")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "huey.contrib.djhuey",
    "django_prometheus",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "sigap",
    "sigap.cities",
    "sigap.agencies",
    "sigap.accounts",
    "sigap.reports",
    "sigap.notifications",
    "sigap.duty",
    "sigap.follows",
    "sigap.open311",
    "sigap.api",
    "sigap.citizen",
    "sigap.backoffice",
    "sigap.dashboard",
    "sigap.demo",
    "sigap.capacity",
    "sigap.channels",
    "sigap.suggest",
    "sigap.ops",
    "sigap.recognition",
]

MIDDLEWARE = [
    # Counts and times every answer (django-prometheus), the probes' included.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # The load balancer's probes, answered before sessions, languages, the second factor and
    # rate limits; then the request id (sigap/ops/middleware.py).
    "sigap.ops.middleware.probes_and_request_id",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # After the language is chosen, so that its 400 is in the visitor's language.
    "sigap.middleware.control_characters",
    "sigap.middleware.TooDeeplyNested",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "sigap.accounts.twofactor.require_second_factor",
    # The request's city: the cities its user may read (tenancy) and its time zone.
    "sigap.cities.middleware.city_scope",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout raised while signing in into its answer.
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "sigap.urls"
WSGI_APPLICATION = "sigap.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "sigap.cities.context_processors.city",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
# SQLite by default, tuned for concurrent writers: WAL, a busy timeout and IMMEDIATE
# transactions so that a read-then-write transaction never fails with "database is locked".
DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    import dj_database_url

    try:
        DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    except Exception as exc:  # noqa: BLE001 - re-raised as a configuration error
        raise ImproperlyConfigured(f"DATABASE_URL is malformed: {exc}") from None
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "sigap.sqlite3"),
        }
    }
DATABASES["default"]["CONN_MAX_AGE"] = env_int("SIGAP_CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# SQLite checkpoints every N commits, out of the writers' lock (why: sigap/lib/sqlite/base.py);
# 0 = SQLite's own, inside the commit every 1,000 pages.
SIGAP_SQLITE_CHECKPOINT_EVERY = env_int("SIGAP_SQLITE_CHECKPOINT_EVERY", 64)
_sqlite_autocheckpoint = 10000 if SIGAP_SQLITE_CHECKPOINT_EVERY > 0 else 1000
if DATABASES["default"]["ENGINE"] in ("django.db.backends.sqlite3", "sigap.lib.sqlite"):
    # Django's backend plus a lock file that queues writers instead of letting them poll
    # (sigap/lib/sqlite/base.py).
    DATABASES["default"]["ENGINE"] = "sigap.lib.sqlite"
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA busy_timeout=30000; PRAGMA foreign_keys=ON; "
                # Statement journals (savepoints) in memory, not a temporary file per write.
                "PRAGMA temp_store=MEMORY; "
                # Read pages straight from the file's memory map (no read() per page when
                # another process's write has emptied this connection's cache), and keep a
                # larger cache of them between writes.
                f"PRAGMA mmap_size={env_int('SIGAP_SQLITE_MMAP_MB', 2048) * 1024 * 1024}; "
                f"PRAGMA cache_size=-{env_int('SIGAP_SQLITE_CACHE_MB', 32) * 1024}; "
                f"PRAGMA wal_autocheckpoint={_sqlite_autocheckpoint};"
            ),
        }
    )
    # A file (not :memory:) so that threads in tests share it; one per process so that
    # concurrent test runs never share a database.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"sigap-test-{os.getpid()}.sqlite3")
    }
else:
    DATABASES["default"]["TEST"] = {"NAME": f"test_sigap_{os.getpid()}"}
IS_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:signin"
LOGIN_REDIRECT_URL = "/"

# django-axes first: it refuses a locked-out account or address before a password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# --- Cache and queue --------------------------------------------------------------------
# On Redis, the cache and Huey's queue live in separate databases of the same server: the
# cache's clear() is a FLUSHDB, which must never drop a queued or scheduled job. REDIS_URL
# names the cache's database N (default 0); the queue takes N + 1 unless
# SIGAP_QUEUE_REDIS_URL names one.
REDIS_URL = env_str("REDIS_URL", "")


def redis_database(url: str) -> int:
    """Return the database number a redis:// URL names (`/N` or `?db=N`; none: 0)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    path = "" if parts.scheme == "unix" else parts.path.strip("/")  # a socket's path
    raw = query.get("db") or path or "0"
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"Redis URL {url!r} names no database number") from None


def redis_url_with_database(url: str, db: int) -> str:
    """Return `url` naming database `db` instead of its own."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    if "db" in query or parts.scheme == "unix":  # a socket's path is the socket, not the db
        query["db"] = str(db)
        return url.split("?", 1)[0] + "?" + urlencode(query)
    return urlunsplit(parts._replace(path=f"/{db}"))


def redis_place(url: str) -> tuple:
    """Return (server, database) of a Redis URL: two URLs in one place share a database."""
    parts = urlsplit(url)
    server = parts.path if parts.scheme == "unix" else (parts.hostname, parts.port or 6379)
    return server, redis_database(url)


if REDIS_URL:
    _cache_db = redis_database(REDIS_URL)
    QUEUE_REDIS_URL = env_str("SIGAP_QUEUE_REDIS_URL", "")
    if not QUEUE_REDIS_URL:
        if _cache_db >= 15:
            raise ImproperlyConfigured(
                f"REDIS_URL names database {_cache_db}, and the queue takes the next one, past "
                "Redis's default 16 (0-15): name a lower one or set SIGAP_QUEUE_REDIS_URL")
        QUEUE_REDIS_URL = redis_url_with_database(REDIS_URL, _cache_db + 1)
    if redis_place(QUEUE_REDIS_URL) == redis_place(REDIS_URL):
        raise ImproperlyConfigured(
            "SIGAP_QUEUE_REDIS_URL names the cache's database (REDIS_URL): clearing the cache "
            "empties its whole database, so the queue needs another")
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("SIGAP_CACHE_PREFIX", "sigap"),
        }
    }
else:
    QUEUE_REDIS_URL = ""
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "sigap_cache",
        }
    }

# --- Background work (Huey) --------------------------------------------------------------
HUEY_IMMEDIATE = env_bool("SIGAP_HUEY_IMMEDIATE", False)
if QUEUE_REDIS_URL:
    HUEY = {
        "huey_class": "sigap.lib.hueycluster.RedisHuey",
        "name": env_str("SIGAP_HUEY_NAME", "sigap"),
        "url": QUEUE_REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": env_int("SIGAP_WORKERS", 2), "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "sigap.lib.hueysqlite.SqliteHuey",
        "name": "sigap",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": env_int("SIGAP_WORKERS", 2), "worker_type": "thread"},
    }

# --- Internationalisation ----------------------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "sigap" / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Makassar"
USE_TZ = True

# --- Files -------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("SIGAP_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # collectstatic fills it; WhiteNoise reads it
# Outside production, WhiteNoise also finds files straight from the apps (no collectstatic).
WHITENOISE_USE_FINDERS = not PRODUCTION
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("SIGAP_MEDIA_ROOT", str(VAR_DIR / "media")))
S3_BUCKET = env_str("SIGAP_S3_BUCKET", "")
STORAGES = {
    # Overwrite: names are random or follow from a photo's (models.thumb_path), so only a
    # redone thumbnail ever meets an existing file, and it must replace it.
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"allow_overwrite": True}},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env_str("SIGAP_S3_ENDPOINT_URL", "") or None,
            "access_key": env_str("SIGAP_S3_ACCESS_KEY", ""),
            "secret_key": env_str("SIGAP_S3_SECRET_KEY", ""),
            "region_name": env_str("SIGAP_S3_REGION", "") or None,
            "default_acl": None,
            "querystring_auth": False,
        },
    }
# Whitenoise serves uploaded files too in the embedded set-up (no separate web server).
SIGAP_SERVE_MEDIA = env_bool("SIGAP_SERVE_MEDIA", not S3_BUCKET)
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
SIGAP_MAX_PHOTO_BYTES = 10 * 1024 * 1024
SIGAP_MAX_PHOTO_PIXELS = 40_000_000
# A proof photo taken farther than this from the report's place (by its own GPS) is flagged
# to the dispatcher (docs/architecture.md, "The officer's phone").
SIGAP_PROOF_DISTANCE_WARN_M = env_int("SIGAP_PROOF_DISTANCE_WARN_M", 200)
# Duplicate suggestions on the office report page: open reports this near and this recent.
SIGAP_DUPLICATE_RADIUS_M = env_int("SIGAP_DUPLICATE_RADIUS_M", 150)
SIGAP_DUPLICATE_DAYS = env_int("SIGAP_DUPLICATE_DAYS", 7)

# --- E-mail ------------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "SIGAP_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if env_str("SIGAP_EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("SIGAP_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("SIGAP_EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("SIGAP_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("SIGAP_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("SIGAP_EMAIL_TLS", True)
DEFAULT_FROM_EMAIL = env_str("SIGAP_FROM_EMAIL", "Sigap <noreply@sigap.local>")
# Outbound gateway for SMS/WhatsApp: Sigap POSTs JSON {to, channel, text} here.
SIGAP_SMS_WEBHOOK_URL = env_str("SIGAP_SMS_WEBHOOK_URL", "")
SIGAP_SMS_WEBHOOK_SECRET = env_str("SIGAP_SMS_WEBHOOK_SECRET", "")

# WhatsApp Cloud API (sigap.channels): on when the token, phone number id and app secret are
# set. The API URL points elsewhere only for the local fake (tests, benchmarks).
SIGAP_WHATSAPP_TOKEN = env_str("SIGAP_WHATSAPP_TOKEN", "")
SIGAP_WHATSAPP_PHONE_ID = env_str("SIGAP_WHATSAPP_PHONE_ID", "")
# `make serve` and `make chat` share a local app secret kept in var/ (like the secret key).
_WHATSAPP_SECRET_FILE = env_str("SIGAP_WHATSAPP_APP_SECRET_FILE", "")
SIGAP_WHATSAPP_APP_SECRET = env_str("SIGAP_WHATSAPP_APP_SECRET", "") or (
    secret_key_from(Path(_WHATSAPP_SECRET_FILE)) if _WHATSAPP_SECRET_FILE else "")
SIGAP_WHATSAPP_VERIFY_TOKEN = env_str("SIGAP_WHATSAPP_VERIFY_TOKEN", "")
SIGAP_WHATSAPP_API_URL = env_str("SIGAP_WHATSAPP_API_URL", "https://graph.facebook.com")
SIGAP_WHATSAPP_API_VERSION = env_str("SIGAP_WHATSAPP_API_VERSION", "")
SIGAP_WHATSAPP_TIMEOUT = float(env_int("SIGAP_WHATSAPP_TIMEOUT", 10))
# Where `sigap chat` runs the local fake Cloud API (`make serve` points the API URL there).
SIGAP_CHAT_PORT = env_int("SIGAP_CHAT_PORT", 8025)
# Inbound SMS gateway webhook: on when its secret is set (HMAC-SHA256 of the body in
# X-Sigap-Signature, as Sigap signs its outbound webhook).
SIGAP_SMS_INBOUND_SECRET = env_str("SIGAP_SMS_INBOUND_SECRET", "")
# Messages one number may send per hour on the chat channels before they are ignored.
SIGAP_CHANNELS_MAX_PER_HOUR = env_int("SIGAP_CHANNELS_MAX_PER_HOUR", 120)

SIGAP_DEFAULT_CITY = env_str("SIGAP_CITY", "kupang")
# `sigap setup` (make serve) fills an empty database with a demo history of the year so far
# (sigap.demo): this many reports and citizens. Never in production; 0 switches it off.
SIGAP_DEMO_DATA = env_bool("SIGAP_DEMO_DATA", True)
SIGAP_DEMO_REPORTS = env_int("SIGAP_DEMO_REPORTS", 30000)
SIGAP_DEMO_CITIZENS = env_int("SIGAP_DEMO_CITIZENS", 3000)
# Public Open311 reads are cached under a data version bumped by every report change, so a
# cached answer is never stale; this bounds how long one lives. 0 switches the cache off.
SIGAP_READ_CACHE_SECONDS = env_int("SIGAP_READ_CACHE_SECONDS", 60)
# Each worker also keeps the most recent answers in its own memory (still keyed by the data
# version, so never stale): this many megabytes per worker. 0 switches that tier off.
SIGAP_READ_CACHE_LOCAL_MB = env_int("SIGAP_READ_CACHE_LOCAL_MB", 32)
# Configuration the API reads on every request (the city, categories, API keys) is kept in
# each worker for this many seconds: an edit in the admin reaches every worker within it.
# Revoking an API key takes effect at once regardless (checked in the writing transaction).
SIGAP_CONFIG_CACHE_SECONDS = env_int("SIGAP_CONFIG_CACHE_SECONDS", 30)
# How often a web process asks whether the worker stored a newer category suggester.
SIGAP_SUGGEST_CHECK_SECONDS = env_int("SIGAP_SUGGEST_CHECK_SECONDS", 60)
# Several processes (web nodes, workers): a write of the configuration (admin, loadcity) sets
# a version in the shared cache, and each process empties its configuration memos (the
# prepared boundaries too) when it sees a new one, looking at most once per this many
# seconds: "the configured window" within which an edit reaches every node. 0 = never look
# (each memo then lags by its own time limit; the prepared boundaries until a restart).
SIGAP_CONFIG_CHECK_SECONDS = env_int("SIGAP_CONFIG_CHECK_SECONDS", 5)
# Map tiles are map data, not page assets; without the internet, maps fall back to the
# city's own boundaries drawn from GeoJSON. Empty = no tile layer at all.
SIGAP_TILE_URL = env_str("SIGAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
SIGAP_TILE_ATTRIBUTION = env_str("SIGAP_TILE_ATTRIBUTION", "&copy; OpenStreetMap contributors")

# --- REST API ----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "sigap.api.authentication.CityTokenAuthentication",
        "sigap.api.authentication.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PARSER_CLASSES": [
        "sigap.api.parsers.JSONParser",
        "sigap.api.parsers.FormParser",
        "sigap.api.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": [
        "sigap.api.throttling.AnonRateThrottle",
        "sigap.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("SIGAP_THROTTLE_ANON", "120/min"),
        "user": env_str("SIGAP_THROTTLE_USER", "600/min"),
        # Open311's reads (sigap.open311.views.ReadThrottle), per address like "anon".
        "open311": env_str("SIGAP_THROTTLE_OPEN311", "120/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Sigap API",
    "DESCRIPTION": "REST API for Sigap's own clients. Open311 GeoReport v2 lives at /open311/v2/.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and Redoc from the local sidecar package: no CDN at run time.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Security ----------------------------------------------------------------------------
# Sign-in lockout (django-axes, sigap/accounts/lockout.py): this many failed passwords for one
# account from one address lock that account for that address only (the same person
# elsewhere, and everyone else behind the address, still sign in) for SIGAP_LOCKOUT_MINUTES;
# a success clears the count, and so does an unlock code sent to the account's own phone or
# e-mail (/akun/buka-kunci/). An address with more than SIGAP_LOCKOUT_ADDRESS_FREE failures
# in that time is slowed down (1, 2, 4 … up to SIGAP_LOCKOUT_ADDRESS_MAX_WAIT seconds between
# tries), never locked. The administrator unlocks at once in the admin (Axes > access
# attempts) or with `sigap axes_reset_username NAME`.
AXES_FAILURE_LIMIT = env_int("SIGAP_LOCKOUT_FAILURES", 10)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("SIGAP_LOCKOUT_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "sigap.accounts.lockout.Handler"
# A refused try is not counted: it neither renews a lock nor slows the address further.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
SIGAP_LOCKOUT_ADDRESS_FREE = env_int("SIGAP_LOCKOUT_ADDRESS_FREE", 30)
SIGAP_LOCKOUT_ADDRESS_MAX_WAIT = env_int("SIGAP_LOCKOUT_ADDRESS_MAX_WAIT", 60)
AXES_CLIENT_IP_CALLABLE = "sigap.lib.clientip.client_ip"
AXES_USERNAME_CALLABLE = "sigap.lib.text.lockout_username"
AXES_LOCKOUT_CALLABLE = "sigap.accounts.lockout.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Staff two-factor (sigap/accounts/twofactor.py, docs/decisions/0008): these roles must use
# it on every staff door and for API tokens ("admin" covers superusers and anyone who may
# open the Django admin); anyone else who sets it up is asked for it as well.
SIGAP_2FA_REQUIRED_ROLES = env_list(
    "SIGAP_2FA_REQUIRED_ROLES", ["admin", "head", "dispatcher", "officer", "executive", "province"])
OTP_TOTP_ISSUER = env_str("SIGAP_OTP_ISSUER", "Sigap")
# Nobody, the administrator included, reads another person's TOTP secret or QR code in the
# admin: each person sets theirs up on their own phone (/akun/2fa/). django-otp's admin
# pages for them answered 500 for a missing device and 503 without the qrcode library.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): no inline script or style anywhere, every asset from
# this server; only map tiles come from the tile server (SIGAP_TILE_URL).
from urllib.parse import urlsplit as _urlsplit  # noqa: E402

from csp.constants import NONE, SELF  # noqa: E402

_tiles = _urlsplit(SIGAP_TILE_URL.replace("{s}", "__sub__"))  # {s}.tile.… = any subdomain
_TILE_ORIGIN = f"{_tiles.scheme}://{_tiles.netloc.replace('__sub__', '*')}" \
    if _tiles.netloc else None
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:", *([_TILE_ORIGIN] if _TILE_ORIGIN else [])],
        "connect-src": [SELF],
        "font-src": [SELF],
        "worker-src": [SELF],
        "manifest-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SIGAP_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SIGAP_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# The web report form's limits (sigap/citizen/limits.py): per device (the browser's session),
# a generous ceiling per address (many subscribers share one behind carrier-grade NAT), and
# the same long text from many devices. Comma-separated rates: 5/10min, 300/hour, 30/day.
SIGAP_WEB_REPORTS_PER_DEVICE = env_list("SIGAP_WEB_REPORTS_PER_DEVICE", ["10/hour", "30/day"])
SIGAP_WEB_REPORTS_PER_ADDRESS = env_list("SIGAP_WEB_REPORTS_PER_ADDRESS", ["60/min", "600/hour"])
# Visitors without an account: follow requests (each sends a confirmation) and flags.
SIGAP_FOLLOWS_PER_ADDRESS = env_list("SIGAP_FOLLOWS_PER_ADDRESS", ["5/10min", "20/day"])
SIGAP_FLAGS_PER_ADDRESS = env_list("SIGAP_FLAGS_PER_ADDRESS", ["10/10min", "50/day"])
SIGAP_WEB_SAME_TEXT = env_list("SIGAP_WEB_SAME_TEXT", ["5/hour"])

# Who may read /metrics (sigap/ops/metrics.py): addresses or networks, as the client address
# is found (lib/clientip.py: behind a trusted proxy, the address it forwarded).
SIGAP_METRICS_ALLOWED_IPS = env_list("SIGAP_METRICS_ALLOWED_IPS", ["127.0.0.1/32", "::1/128"])
try:
    for _network in SIGAP_METRICS_ALLOWED_IPS:
        _ipaddress.ip_network(_network, strict=False)
except ValueError as _exc:
    raise ImproperlyConfigured(f"SIGAP_METRICS_ALLOWED_IPS is malformed: {_exc}") from None

# Logs on the standard error: plain text, or one JSON object a line (SIGAP_LOG_FORMAT=json,
# python-json-logger) for a log collector. Every record carries the request id
# (sigap/lib/requestid.py): the web request's, and in the worker the one of the request
# that queued the job.
SIGAP_LOG_FORMAT = env_str("SIGAP_LOG_FORMAT", "text")

# Trusted reporters (sigap/recognition, decision 0017): a citizen with at least this many
# reports verified by staff, and a share of rejected ones under this percentage, has new
# reports from these sources verified by the system at creation (the office may revoke it).
SIGAP_TRUST_MIN_VERIFIED = env_int("SIGAP_TRUST_MIN_VERIFIED", 5)
SIGAP_TRUST_MAX_REJECTED_PERCENT = env_int("SIGAP_TRUST_MAX_REJECTED_PERCENT", 20)
SIGAP_TRUST_SOURCES = env_list("SIGAP_TRUST_SOURCES", ["web", "api", "whatsapp"])
if SIGAP_LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured("SIGAP_LOG_FORMAT must be text or json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "sigap.lib.requestid.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(process)d %(request_id)s "
                      "%(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"],
                             "formatter": SIGAP_LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env_str("SIGAP_LOG_LEVEL", "WARNING")},
    # pywa logs request and response bodies (message content) at DEBUG: never below WARNING.
    # sigap.periodic: which worker ran each periodic task each minute (lib/hueycluster.py).
    "loggers": {"pywa": {"level": "WARNING"}, "sigap.periodic": {"level": "INFO"}},
}

# Production refuses to start on an insecure configuration (also reported as system checks
# sigap.E001/E002 so `sigap check --deploy` explains it).
if PRODUCTION and (SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 40):
    raise ImproperlyConfigured(
        "SIGAP_SECRET_KEY must be set to a random value of at least 40 characters in production"
    )
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("SIGAP_DEBUG must be off in production")
