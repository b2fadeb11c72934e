from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DutyConfig(AppConfig):
    name = "sigap.duty"
    label = "duty"
    verbose_name = _("Jadwal jaga dan panggilan darurat")

    def ready(self):
        # Imported here: an app's modules load once every app's models have (Django's rule).
        from sigap.cities.signals import pack_loaded
        from sigap.duty import receivers, services
        from sigap.notifications.signals import sending_message
        from sigap.reports import signals

        signals.who_is_on_duty.connect(services.answer_who_is_on_duty,
                                       dispatch_uid="sigap.duty.rota")
        signals.events_recorded.connect(receivers.alerts_for_events,
                                        dispatch_uid="sigap.duty.alerts")
        pack_loaded.connect(receivers.load_paging_rules,  # data/<city>/paging.csv
                            dispatch_uid="sigap.duty.paging_rules")
        sending_message.connect(receivers.send_push, dispatch_uid="sigap.duty.push")
