"""What the WhatsApp/SMS app does when a lower layer signals (ChannelsConfig.ready())."""

from __future__ import annotations

from sigap.channels import landmarks, services


def send_whatsapp(sender, *, channel: str, to: str, subject: str, text: str,
                  notification=None, **kwargs) -> bool | None:
    """A message to send (notifications.signals.sending_message): the "whatsapp" channel's,
    free-form inside the service window, a template outside, buttons for "Sudah beres?"."""
    if channel != "whatsapp":
        return None
    return services.notification_sender(to, subject, text, notification=notification)


def load_landmarks(sender, *, city, folder, agencies, result, upsert, **kwargs) -> None:
    """The city pack loads (cities.signals.pack_loaded): data/<city>/landmarks.csv."""
    landmarks.load_landmarks(city, folder, agencies, result, upsert)
