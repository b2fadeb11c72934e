from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "sigap.channels"
    label = "channels"
    verbose_name = _("WhatsApp dan SMS")

    def ready(self):
        # Notifications sit below this app: it registers how a "whatsapp" message is sent
        # (free-form inside the service window, a template outside, buttons for "Sudah beres?").
        from sigap.channels import services
        from sigap.channels.landmarks import load_landmarks
        from sigap.cities import citypack
        from sigap.notifications import channels

        channels.register_sender("whatsapp", services.notification_sender)
        citypack.on_load(load_landmarks)  # data/<city>/landmarks.csv
