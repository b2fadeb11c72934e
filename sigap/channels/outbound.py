"""Messages out through the WhatsApp Cloud API, with pywa (docs/decisions/0006).

pywa is used without its web server: Sigap's own Django view receives the webhooks, and this
module only builds the client (one per process), sends text, buttons, lists and templates,
and fetches media. SIGAP_WHATSAPP_API_URL points the client elsewhere than Meta's Graph API
(the local fake in tests and benchmarks) by rewriting the host in the HTTP transport.
"""

from __future__ import annotations

import functools
import json
import logging
from datetime import timedelta
from pathlib import Path

import httpx
from django.conf import settings
from pywa import WhatsApp
from pywa.errors import WhatsAppError
from pywa.types import Button, Section, SectionList, SectionRow
from pywa.types.templates import TemplateLanguage

log = logging.getLogger(__name__)

WINDOW = timedelta(hours=24)  # the customer service window: free-form replies allowed
GRAPH_HOST = "graph.facebook.com"


class SendError(Exception):
    """The Cloud API refused or could not be reached; the caller retries later."""


def enabled() -> bool:
    return bool(settings.SIGAP_WHATSAPP_TOKEN and settings.SIGAP_WHATSAPP_PHONE_ID
                and settings.SIGAP_WHATSAPP_APP_SECRET)


class _BaseURL(httpx.HTTPTransport):
    """Send Graph API requests to the configured base URL instead (a fake, a proxy)."""

    def __init__(self, base: str, **kwargs):
        super().__init__(**kwargs)
        self.base = httpx.URL(base)

    def handle_request(self, request):
        if request.url.host == GRAPH_HOST and self.base.host != GRAPH_HOST:
            request.url = request.url.copy_with(
                scheme=self.base.scheme, host=self.base.host, port=self.base.port)
        return super().handle_request(request)


@functools.lru_cache(maxsize=4)
def _client(token: str, phone_id: str, base: str, version: str, timeout: float) -> WhatsApp:
    session = httpx.Client(transport=_BaseURL(base), timeout=timeout)
    kwargs = {"api_version": version} if version else {}
    return WhatsApp(phone_id=phone_id, token=token, session=session, **kwargs)


def close_clients() -> None:
    """Forget the clients (after the settings changed: tests, a reload)."""
    _client.cache_clear()


def client() -> WhatsApp:
    return _client(settings.SIGAP_WHATSAPP_TOKEN, settings.SIGAP_WHATSAPP_PHONE_ID,
                   settings.SIGAP_WHATSAPP_API_URL, settings.SIGAP_WHATSAPP_API_VERSION,
                   settings.SIGAP_WHATSAPP_TIMEOUT)


def send_reply(phone: str, reply: dict) -> str:
    """Send one reply (Reply.as_dict()) and return the provider's message id."""
    wa = client()
    try:
        if reply.get("sections"):
            sent = wa.send_message(to=phone, text=reply["text"], buttons=SectionList(
                button_title=reply.get("button_title") or "Pilih",
                sections=[Section(title=title, rows=[
                    SectionRow(title=t, callback_data=i, description=d or None)
                    for i, t, d in rows]) for title, rows in reply["sections"]]))
        elif reply.get("buttons"):
            sent = wa.send_message(to=phone, text=reply["text"], buttons=[
                Button(title=t, callback_data=i) for i, t in reply["buttons"]])
        elif reply.get("template"):
            t = reply["template"]
            sent = wa.send_template(to=phone, name=t["name"],
                                    language=TemplateLanguage(t["language"]),
                                    params=t["components"])
        else:
            sent = wa.send_message(to=phone, text=reply["text"])
    except (WhatsAppError, httpx.HTTPError) as exc:
        raise SendError(type(exc).__name__) from None
    return sent.id


def fetch_media(media_id: str) -> bytes:
    """Download a media file through the media endpoint (its URL, then its bytes)."""
    wa = client()
    try:
        url = wa.get_media_url(media_id)
        return wa.get_media_bytes(url=url.url)
    except (WhatsAppError, httpx.HTTPError) as exc:
        raise SendError(type(exc).__name__) from None


@functools.lru_cache(maxsize=8)
def templates(city_code: str) -> dict:
    """Return the city's approved template messages (data/<city>/whatsapp_templates.json)."""
    path = Path(settings.BASE_DIR) / "data" / city_code / "whatsapp_templates.json"
    try:
        return json.loads(path.read_text())["templates"]
    except FileNotFoundError:
        return {}


def template_reply(city_code: str, name: str, language: str, values: dict) -> dict | None:
    """Return a template message filled with `values`, or None when the city has none."""
    entry = templates(city_code).get(name)
    if entry is None:
        return None
    lang = language if language in entry["languages"] else entry["languages"][0]
    components = [{"type": "body", "parameters": [
        {"type": "text", "text": str(values[p])[:1000]} for p in entry["body"]]}]
    for index, payload in enumerate(entry.get("quick_replies", [])):
        components.append({"type": "button", "sub_type": "quick_reply", "index": str(index),
                           "parameters": [{"type": "payload",
                                           "payload": payload.format(**values)}]})
    return {"template": {"name": entry["name"], "language": lang, "components": components},
            "text": entry["preview"].get(lang, "").format(**values)}
