from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "sigap.reports"
    label = "reports"
    verbose_name = _("Laporan")

    def ready(self):
        # Imported here: models must be loaded before the version's module can be.
        from sigap.lib import publicdata
        from sigap.reports import freshness

        publicdata.on_change(freshness.bump)
