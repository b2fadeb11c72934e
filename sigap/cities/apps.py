from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CitiesConfig(AppConfig):
    name = "sigap.cities"
    label = "cities"
    verbose_name = _("Kota dan wilayah")

    def ready(self):
        # In ready(): the worker's hooks need the apps loaded.
        from huey.contrib.djhuey import HUEY

        from sigap.cities import tenancy  # in ready(), as above

        # Every task is the install's own work, across cities (sigap.cities.tenancy).
        @HUEY.pre_execute(name="sigap-system-scope")
        def _system(task):
            task._sigap_scope = tenancy.enter_system()

        @HUEY.post_execute(name="sigap-system-scope")
        def _leave(task, value, exc):
            token = getattr(task, "_sigap_scope", None)
            if token is not None:
                tenancy.leave(token)
