from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "sigap.reports"
    label = "reports"
    verbose_name = _("Laporan")

    def ready(self):
        from sigap.accounts import services as accounts
        from sigap.reports import services

        # A phone number or e-mail proved by a one-time code brings its earlier reports along.
        accounts.on_verified(services.claim_earlier_reports)
