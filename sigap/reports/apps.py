from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "sigap.reports"
    label = "reports"
    verbose_name = _("Laporan")

    def ready(self):
        # Imported here: an app's modules load once every app's models have (Django's rule).
        from sigap.accounts import services as accounts
        from sigap.lib import publicdata
        from sigap.reports import freshness
        from sigap.reports.services import engagement

        publicdata.on_change(freshness.bump)
        accounts.on_account_deletion(engagement.forget_user)
        # A phone number or e-mail proved by a one-time code brings its earlier reports along.
        accounts.on_verified(engagement.claim_earlier_reports)
