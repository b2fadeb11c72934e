"""The webhooks: WhatsApp Cloud API (verify handshake, signed updates) and an SMS gateway.

Both answer fast: they check the signature, store what arrived (each message id once, one
read and one insert), hand the conversation to the worker and answer 200; blocking, the
hourly allowance and everything else happen in the worker. Nothing about the content of a
message is logged.
"""

import hmac
import logging

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from sigap.channels import inbound, outbound, services, sms, tasks
from sigap.lib import safejson

log = logging.getLogger(__name__)


def _queue(conversation_ids):
    for pk in conversation_ids:
        try:
            tasks.process_conversation(pk)
        except Exception:  # noqa: BLE001 - stored: the periodic sweep processes it
            log.warning("could not queue conversation %s; the sweep will", pk, exc_info=True)


def _reason(exc: ValueError) -> str:
    if isinstance(exc, inbound.Unreadable):
        return str(exc)
    if isinstance(exc, safejson.TooDeep):
        return "JSON nested too deeply"
    return "not JSON"


@csrf_exempt
@require_http_methods(["GET", "POST"])
def whatsapp(request):
    if not outbound.enabled():
        raise Http404
    if request.method == "GET":
        token = settings.SIGAP_WHATSAPP_VERIFY_TOKEN
        if (request.GET.get("hub.mode") == "subscribe" and token
                and hmac.compare_digest(request.GET.get("hub.verify_token", ""), token)):
            return HttpResponse(request.GET.get("hub.challenge", ""), content_type="text/plain")
        return HttpResponse("Forbidden", status=403)
    body = request.body
    if not inbound.signature_ok(settings.SIGAP_WHATSAPP_APP_SECRET, body,
                                request.headers.get("X-Hub-Signature-256")):
        log.warning("whatsapp webhook: refused a request with a bad or missing signature")
        return HttpResponse("Unauthorized", status=401)
    now = timezone.now()
    # Signed, so from Meta: whatever it is, answer 200 (a refusal makes Meta resend the same
    # body for days) and keep what cannot be read for the administrator.
    try:
        messages, statuses, unreadable = inbound.parse(safejson.loads(body))
    except ValueError as exc:  # bad JSON, too deep, not Meta's shape (inbound.Unreadable)
        services.record_unreadable("whatsapp", body, _reason(exc), now=now)
        return HttpResponse("ok", content_type="text/plain")
    for reason, raw in unreadable:
        services.record_unreadable("whatsapp", raw, reason, now=now)
    # Each message is stored by its own short insert (services.receive): no transaction
    # around the request, so the write lock (SQLite) is never held while reading.
    conversation_ids = services.receive("whatsapp", messages, now=now)
    if statuses:
        services.record_statuses(statuses, now=now)
    transaction.on_commit(lambda: _queue(conversation_ids))  # at once, outside a transaction
    return HttpResponse("ok", content_type="text/plain")


@csrf_exempt
@require_http_methods(["POST"])
def sms_inbound(request):
    """An SMS gateway POSTs {"from", "text", "id"} signed like Sigap's outbound webhook."""
    secret = settings.SIGAP_SMS_INBOUND_SECRET
    if not secret:
        raise Http404
    if not sms.signature_ok(secret, request.body, request.headers.get("X-Sigap-Signature")):
        log.warning("sms webhook: refused a request with a bad or missing signature")
        return HttpResponse("Unauthorized", status=401)
    now = timezone.now()
    try:
        message = sms.incoming(safejson.loads(request.body))
    except ValueError as exc:  # as for WhatsApp: a refusal would be resent forever
        services.record_unreadable("sms", request.body, _reason(exc), now=now)
        return JsonResponse({"ok": True})
    conversation_ids = services.receive("sms", [message], now=now)
    transaction.on_commit(lambda: _queue(conversation_ids))
    return JsonResponse({"ok": True})
