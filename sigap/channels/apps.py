from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "sigap.channels"
    label = "channels"
    verbose_name = _("WhatsApp dan SMS")

    def ready(self):
        # Imported here: an app's modules load once every app's models have (Django's rule).
        from sigap.channels import receivers
        from sigap.cities.signals import pack_loaded
        from sigap.notifications.signals import sending_message

        # Notifications sit below this app: it sends what goes out by "whatsapp" itself.
        sending_message.connect(receivers.send_whatsapp, dispatch_uid="sigap.channels.whatsapp")
        pack_loaded.connect(receivers.load_landmarks,  # data/<city>/landmarks.csv
                            dispatch_uid="sigap.channels.landmarks")
