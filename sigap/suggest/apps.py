from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuggestConfig(AppConfig):
    name = "sigap.suggest"
    label = "suggest"
    verbose_name = _("Saran kategori")

    def ready(self):
        # Imported here: an app's modules load once every app's models have (Django's rule).
        from sigap.cities.signals import pack_loaded
        from sigap.suggest import receivers

        pack_loaded.connect(receivers.load_phrases,  # data/<city>/phrases.toml
                            dispatch_uid="sigap.suggest.phrases")
