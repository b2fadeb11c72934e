"""Talk to a running Sigap by WhatsApp from a terminal: `sigap chat` (`make chat`).

The local fake of the Cloud API (sigap.channels.fake) plays Meta's two parts: it delivers
what you type to the server's webhook, signed with the app secret as Meta signs it, and it
receives what Sigap sends back, which is printed here with its buttons and list rows
numbered. `make serve` points the server's WhatsApp settings at this fake (port
SIGAP_CHAT_PORT, 8025 by default), so a newcomer can hold a whole conversation — a report,
its photo and place, "Sudah beres?" — without Meta, a phone or the internet.

What you type is sent as a text message, except:

    /1 … /9          tap the button or list row of that number in Sigap's last message
    /lokasi LAT LNG  share a location (e.g. /lokasi -10.17 123.60)
    /foto            send a photo (a generated JPEG)
    /keluar          stop
"""

from __future__ import annotations

import io
import urllib.error
import urllib.request

from sigap.channels.fake import FakeCloudAPI

HELP = "What you type" + __doc__.split("What you type", 1)[1].rstrip()
USAGE = "?  /1 … /9, /lokasi LAT LNG, /foto, /keluar (/bantuan: help)"


def webhook_poster(server_url: str):
    """Return deliver(body, signature) -> HTTP status, posting to the server's webhook."""
    url = server_url.rstrip("/") + "/kanal/whatsapp/"

    def deliver(body: bytes, signature: str) -> int:
        request = urllib.request.Request(url, data=body, method="POST", headers={
            "Content-Type": "application/json", "X-Hub-Signature-256": signature})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code

    return deliver


def render(record: dict) -> list[str]:
    """Return the lines that show one message Sigap sent, options numbered."""
    lines = [f"Sigap: {line}" for line in (record.get("text") or "").splitlines()] or ["Sigap:"]
    options = record.get("buttons", []) + record.get("rows", [])
    lines += [f"   /{n} {o['title']}" for n, o in enumerate(options[:9], 1)]
    return lines


def photo_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (640, 480), (120, 110, 90)).save(out, "JPEG")
    return out.getvalue()


class Chat:
    """One citizen's conversation with the server at `server_url`, through the fake."""

    def __init__(self, *, server_url: str, app_secret: str, token: str, phone: str,
                 port: int, out=print):
        self.phone, self.out = phone, out
        self.fake = FakeCloudAPI(app_secret=app_secret, token=token, port=port,
                                 deliver=webhook_poster(server_url),
                                 on_sent=self._shown)

    def _shown(self, record: dict) -> None:
        if record.get("to") == self.phone:
            for line in render(record):
                self.out(line)

    def start(self) -> Chat:
        self.fake.start()
        return self

    def stop(self) -> None:
        self.fake.stop()

    def options(self) -> list[dict]:
        sent = self.fake.sent_to(self.phone)
        last = sent[-1] if sent else {}
        return last.get("buttons", []) + last.get("rows", [])

    def say(self, line: str) -> bool:
        """Send what was typed; return False to stop. Problems are told, never raised."""
        line = line.strip()
        if not line:
            return True
        if line in ("/keluar", "/exit", "/quit"):
            return False
        if line in ("/bantuan", "/help"):
            self.out(HELP)
            return True
        try:
            status = self._send(line)
        except (ValueError, IndexError):
            self.out(USAGE)
            return True
        except OSError as exc:
            self.out(f"!  the server did not answer ({exc}); is `make serve` running?")
            return True
        if status != 200:
            self.out(f"!  the server answered {status} (is WhatsApp on? see docs/channels.md)")
        return True

    def _send(self, line: str) -> int:
        if line[:1] == "/" and line[1:].isdigit():
            option = self.options()[int(line[1:]) - 1]
            return self.fake.tap(self.phone, option["id"])[0]
        if line.startswith("/lokasi"):
            _cmd, lat, lng = line.split()
            return self.fake.location(self.phone, float(lat), float(lng))[0]
        if line == "/foto":
            return self.fake.image(self.phone, photo_bytes())[0]
        return self.fake.text(self.phone, line)[0]
