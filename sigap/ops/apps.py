from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running Sigap as a cluster: probes, metrics, request ids (docs/deploy.md)."""

    name = "sigap.ops"
    verbose_name = "Operasi"
