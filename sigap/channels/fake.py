"""A local fake of the WhatsApp Cloud API, for tests, benchmarks and screenshots.

It plays both of Meta's parts on 127.0.0.1: the Graph API endpoints Sigap calls (send a
message, look up a media id, download the media) and the webhook sender that delivers a
citizen's messages to Sigap, signed with the app secret exactly as Meta signs them. It keeps
a transcript of every chat, served as an HTML page at /transcript/<phone> (docs/channels.md
shows it). Standard library only; the application never imports it (`sigap chat`, a
developer's tool, does).
"""

from __future__ import annotations

import hashlib
import html
import itertools
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sigap.channels.inbound import sign

PHONE_ID = "1000000001"


class FakeCloudAPI:
    def __init__(self, *, app_secret: str, token: str = "fake-token", port: int = 0,
                 deliver=None, on_sent=None):
        self.app_secret = app_secret
        self.on_sent = on_sent  # on_sent(record): called after each message Sigap sent
        self.token = token
        self.deliver = deliver  # deliver(body: bytes, signature: str) -> int (HTTP status)
        self.sent: list[dict] = []  # messages Sigap sent, in order
        self.media: dict[str, tuple[bytes, str]] = {}
        self.failing_downloads = 0  # the next N media downloads answer 500
        self.transcripts: dict[str, list[tuple[str, dict]]] = {}
        self._by_phone: dict[str, list[dict]] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)  # notified on every message sent
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # --- lifecycle ---
    def start(self) -> FakeCloudAPI:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- what Sigap sent ---
    def sent_to(self, phone: str) -> list[dict]:
        with self._lock:
            return list(self._by_phone.get(phone, []))

    def wait_for(self, phone: str, seen: int, check, timeout: float = 60.0) -> int:
        """Wait until Sigap has sent `phone` more than `seen` messages and the newest passes
        `check`; return how many it has sent (raise TimeoutError)."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                sent = self._by_phone.get(phone, [])
                if len(sent) > seen and check(sent[-1]):
                    return len(sent)
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(phone)
                self._arrived.wait(min(left, 1.0))

    def texts_to(self, phone: str) -> list[str]:
        return [m["text"] for m in self.sent_to(phone)]

    # --- the webhook sender: a citizen's messages ---
    def _next_id(self, prefix: str) -> str:
        with self._lock:
            return f"wamid.{prefix}.{next(self._ids)}"

    def envelope(self, phone: str, message: dict) -> dict:
        return {"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [{
            "field": "messages", "value": {
                "messaging_product": "whatsapp",
                "metadata": {"display_phone_number": "6280000000", "phone_number_id": PHONE_ID},
                "contacts": [{"profile": {"name": "Warga"}, "wa_id": phone}],
                "messages": [message]}}]}]}

    def send(self, phone: str, kind: str, content: dict, *, message_id: str = "",
             shown: dict | None = None) -> tuple[int, str]:
        """Deliver one citizen message to Sigap's webhook; return (status, message id)."""
        message_id = message_id or self._next_id("IN")
        message = {"from": phone, "id": message_id, "timestamp": str(int(time.time())),
                   "type": kind, kind: content}
        with self._lock:
            self.transcripts.setdefault(phone, []).append(("in", shown or {kind: content}))
        return self.post(self.envelope(phone, message)), message_id

    def post(self, update: dict, *, signature: str | None = None) -> int:
        body = json.dumps(update).encode()
        return self.deliver(body, sign(self.app_secret, body) if signature is None
                            else signature)

    def text(self, phone: str, body: str, **kw):
        return self.send(phone, "text", {"body": body}, **kw)

    def location(self, phone: str, lat: float, lng: float, name: str = "", address: str = ""):
        return self.send(phone, "location", {"latitude": lat, "longitude": lng,
                                              "name": name, "address": address})

    def image(self, phone: str, data: bytes, mime: str = "image/jpeg", caption: str = ""):
        media_id = self._next_id("MEDIA")
        self.media[media_id] = (data, mime)
        content = {"id": media_id, "mime_type": mime,
                   "sha256": hashlib.sha256(data).hexdigest()}
        if caption:
            content["caption"] = caption
        return self.send(phone, "image", content, shown={"image": media_id, "caption": caption})

    def document(self, phone: str, data: bytes, mime: str = "application/pdf",
                 filename: str = "file.pdf"):
        media_id = self._next_id("MEDIA")
        self.media[media_id] = (data, mime)
        return self.send(phone, "document", {"id": media_id, "mime_type": mime,
                                              "filename": filename})

    def tap(self, phone: str, reply_id: str):
        """Tap a button or a list row that Sigap sent (found by its id, newest first)."""
        for message in reversed(self.sent_to(phone)):
            for kind, options in (("button_reply", message.get("buttons", [])),
                                  ("list_reply", message.get("rows", []))):
                for option in options:
                    if option["id"] == reply_id:
                        return self.send(phone, "interactive", {
                            "type": kind, kind: {"id": reply_id, "title": option["title"]}},
                            shown={"tap": option["title"]})
        raise AssertionError(f"no button or row {reply_id!r} was sent to {phone}")

    def status(self, provider_id: str, status: str, phone: str = "") -> int:
        entry = {"id": provider_id, "status": status, "timestamp": str(int(time.time())),
                 "recipient_id": phone}
        if status == "failed":
            entry["errors"] = [{"code": 131047, "title": "Re-engagement message"}]
        return self.post({"object": "whatsapp_business_account", "entry": [{"id": "WABA",
                          "changes": [{"field": "messages", "value": {
                              "messaging_product": "whatsapp", "statuses": [entry]}}]}]})

    # --- the Graph API ---
    def _record(self, payload: dict) -> str:
        to = payload.get("to", "")
        kind = payload.get("type", "text")
        record = {"to": to, "type": kind, "text": "", "buttons": [], "rows": []}
        if kind == "text":
            record["text"] = payload["text"]["body"]
        elif kind == "interactive":
            inter = payload["interactive"]
            record["text"] = inter.get("body", {}).get("text", "")
            action = inter.get("action", {})
            record["buttons"] = [{"id": b["reply"]["id"], "title": b["reply"]["title"]}
                                 for b in action.get("buttons", [])]
            record["rows"] = [{"id": r["id"], "title": r["title"],
                               "section": s.get("title", "")}
                              for s in action.get("sections", []) for r in s.get("rows", [])]
            record["button_title"] = action.get("button", "")
        elif kind == "template":
            template = payload["template"]
            record["template"] = template["name"]
            record["text"] = " | ".join(p.get("text", "") for c in template.get("components", [])
                                        if c.get("type") == "body" for p in c["parameters"])
            record["buttons"] = [{"id": c["parameters"][0]["payload"], "title": c["index"]}
                                 for c in template.get("components", [])
                                 if c.get("type") == "button"]
        record["id"] = self._next_id("OUT")
        with self._arrived:
            self.sent.append(record)
            self._by_phone.setdefault(to, []).append(record)
            self.transcripts.setdefault(to, []).append(("out", record))
            self._arrived.notify_all()
        if self.on_sent is not None:
            self.on_sent(record)
        return record["id"]

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _answer(self, status: int, body: bytes, content_type="application/json"):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _authorised(self) -> bool:
                if self.headers.get("Authorization") != f"Bearer {fake.token}":
                    self._answer(401, b'{"error": {"code": 190, "message": "bad token"}}')
                    return False
                return True

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                payload = json.loads(self.rfile.read(length) or b"{}")
                if not self._authorised():
                    return
                if re.fullmatch(r"/v[\d.]+/\w+/messages", self.path):
                    wamid = fake._record(payload)
                    self._answer(200, json.dumps({
                        "messaging_product": "whatsapp",
                        "contacts": [{"input": payload.get("to"), "wa_id": payload.get("to")}],
                        "messages": [{"id": wamid}]}).encode())
                    return
                self._answer(404, b'{"error": {"code": 100, "message": "unknown"}}')

            def do_GET(self):
                if self.path.startswith("/transcript/"):
                    phone = self.path.rsplit("/", 1)[-1]
                    self._answer(200, fake.transcript_html(phone).encode(),
                                 "text/html; charset=utf-8")
                    return
                if self.path.startswith("/image/"):
                    data, mime = fake.media.get(self.path.rsplit("/", 1)[-1], (b"", "x/none"))
                    self._answer(200, data, mime)
                    return
                if not self._authorised():
                    return
                if self.path.startswith("/download/"):
                    media_id = self.path.rsplit("/", 1)[-1]
                    with fake._lock:
                        failing = fake.failing_downloads > 0
                        if failing:
                            fake.failing_downloads -= 1
                    if failing or media_id not in fake.media:
                        self._answer(500, b"unavailable", "text/plain")
                        return
                    data, mime = fake.media[media_id]
                    self._answer(200, data, mime)
                    return
                match = re.fullmatch(r"/v[\d.]+/([\w.=-]+)", self.path.split("?")[0])
                if match and match.group(1) in fake.media:
                    data, mime = fake.media[match.group(1)]
                    self._answer(200, json.dumps({
                        "messaging_product": "whatsapp", "id": match.group(1),
                        "url": f"{fake.url}/download/{match.group(1)}", "mime_type": mime,
                        "sha256": hashlib.sha256(data).hexdigest(),
                        "file_size": len(data)}).encode())
                    return
                self._answer(404, b'{"error": {"code": 100, "message": "unknown"}}')

        return Handler

    # --- the transcript page ---
    def transcript_html(self, phone: str) -> str:
        with self._lock:
            lines = list(self.transcripts.get(phone, []))
        bubbles = []
        for direction, item in lines:
            if direction == "in":
                if "text" in item:
                    content = html.escape(item["text"]["body"])
                elif "image" in item:
                    content = (f'<img src="/image/{html.escape(item["image"])}" alt="">'
                               + (f"<br>{html.escape(item['caption'])}" if item["caption"]
                                  else ""))
                elif "location" in item:
                    loc = item["location"]
                    content = ("📍 " + html.escape(loc.get("name") or "")
                               + f"<br><small>{loc['latitude']:.4f}, "
                               f"{loc['longitude']:.4f}</small>")
                elif "tap" in item:
                    content = "↩ " + html.escape(item["tap"])
                else:
                    content = "📎 " + html.escape(next(iter(item)))
                bubbles.append(f'<div class="b in">{content}</div>')
                continue
            content = html.escape(item["text"]).replace("\n", "<br>")
            if item.get("template"):
                content = f"<small>template {html.escape(item['template'])}</small><br>" + content
            options = "".join(f'<span class="btn">{html.escape(b["title"])}</span>'
                              for b in item.get("buttons", []))
            if item.get("rows"):
                options += (f'<span class="btn">☰ {html.escape(item.get("button_title", ""))}'
                            "</span>")
            bubbles.append(f'<div class="b out">{content}'
                           f'{"<div>" + options + "</div>" if options else ""}</div>')
        return ("<!doctype html><html><head><meta charset='utf-8'>"
                "<meta name='viewport' content='width=device-width,initial-scale=1'>"
                f"<title>WhatsApp {html.escape(phone)}</title><style>"
                "body{margin:0;font:15px/1.35 sans-serif;background:#efe7dd}"
                "header{background:#075e54;color:#fff;padding:12px 16px;font-weight:bold}"
                "main{padding:8px 10px;display:flex;flex-direction:column}"
                ".b{max-width:80%;margin:4px 0;padding:7px 10px;border-radius:8px;"
                "box-shadow:0 1px 1px #0002;word-wrap:break-word}"
                ".in{align-self:flex-end;background:#dcf8c6}.out{align-self:flex-start;"
                "background:#fff}.b img{max-width:160px;border-radius:6px}"
                ".btn{display:inline-block;margin:6px 4px 0 0;padding:4px 10px;border:1px solid "
                "#34b7f1;border-radius:14px;color:#0a7cbf;font-size:13px}"
                f"</style></head><body><header>Sigap · +{html.escape(phone)}</header><main>"
                + "".join(bubbles) + "</main></body></html>")
