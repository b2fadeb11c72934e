"""What the back office does when a lower layer signals (BackofficeConfig.ready())."""

from __future__ import annotations

from sigap.backoffice.templates_pack import load_response_templates


def load_templates(sender, *, city, folder, agencies, result, upsert, **kwargs) -> None:
    """The city pack loads (cities.signals.pack_loaded): data/<city>/response_templates.csv."""
    load_response_templates(city, folder, agencies, result, upsert)
