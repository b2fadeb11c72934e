from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DutyConfig(AppConfig):
    name = "sigap.duty"
    label = "duty"
    verbose_name = _("Jadwal jaga dan panggilan darurat")

    def ready(self):
        # Imported here: an app's modules load once every app's models have (Django's rule).
        from sigap.cities import citypack
        from sigap.duty import alerts, pack, push, services
        from sigap.notifications import channels, signals as notify_signals
        from sigap.reports import outbox, signals

        signals.who_is_on_duty.connect(services.answer_who_is_on_duty,
                                       dispatch_uid="sigap.duty.rota")
        notify_signals.takes_push.connect(services.answer_takes_push,
                                          dispatch_uid="sigap.duty.push")
        outbox.on_event(alerts.handle_events)
        citypack.on_load(pack.load_paging_rules)  # data/<city>/paging.csv
        channels.register_sender("push", push.send_push)
