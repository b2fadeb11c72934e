from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "sigap.reports"
    label = "reports"
    verbose_name = _("Laporan")

    def ready(self):
        # Imported here: an app's modules load once every app's models have (Django's rule).
        from sigap.accounts.signals import account_deleting, contact_verified
        from sigap.lib.signals import public_data_changed
        from sigap.reports import receivers

        public_data_changed.connect(receivers.bump_data_version,
                                    dispatch_uid="sigap.reports.data_version")
        account_deleting.connect(receivers.forget_deleted_user,
                                 dispatch_uid="sigap.reports.forget_user")
        # A phone number or e-mail proved by a one-time code brings its earlier reports along.
        contact_verified.connect(receivers.claim_earlier_reports,
                                 dispatch_uid="sigap.reports.claim_earlier_reports")
