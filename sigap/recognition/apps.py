from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecognitionConfig(AppConfig):
    name = "sigap.recognition"
    label = "recognition"
    verbose_name = _("Penghargaan warga")

    def ready(self):
        from sigap.recognition import receivers  # noqa: PLC0415 - the app registry is ready
        from sigap.reports.signals import report_created  # noqa: PLC0415 - likewise

        report_created.connect(receivers.verify_trusted_report,
                               dispatch_uid="sigap.recognition.trusted")
