from django.apps import AppConfig
from django.conf import settings
from django.core import checks


class SigapConfig(AppConfig):
    name = "sigap"
    verbose_name = "Sigap"

    def ready(self):
        checks.register(check_settings, checks.Tags.security, deploy=True)
        checks.register(check_database)
        checks.register(check_rates)


def check_settings(app_configs, **kwargs):
    errors = []
    if settings.SECRET_KEY == settings.DEV_SECRET_KEY:
        errors.append(
            checks.Error(
                "SIGAP_SECRET_KEY is the development key.",
                hint="Set SIGAP_SECRET_KEY to a long random value.",
                id="sigap.E001",
            )
        )
    if settings.DEBUG:
        errors.append(
            checks.Error("DEBUG is on.", hint="Set SIGAP_ENV=production.", id="sigap.E002")
        )
    return errors


def check_database(app_configs, **kwargs):
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith(("sqlite3", "sigap.lib.sqlite")):
        opts = db.get("OPTIONS", {})
        if opts.get("transaction_mode") != "IMMEDIATE":
            return [
                checks.Error(
                    "SQLite must use IMMEDIATE transactions.",
                    hint="Keep the OPTIONS set in sigap/settings.py.",
                    id="sigap.E003",
                )
            ]
    return []


def check_rates(app_configs, **kwargs):
    from sigap.lib import ratelimit

    errors = []
    for name in ("SIGAP_WEB_REPORTS_PER_DEVICE", "SIGAP_WEB_REPORTS_PER_ADDRESS",
                 "SIGAP_WEB_SAME_TEXT"):
        for rate in getattr(settings, name):
            try:
                ratelimit.parse(rate)
            except ValueError as exc:
                errors.append(checks.Error(f"{name}: {exc}", id="sigap.E004"))
    return errors
