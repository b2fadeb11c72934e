"""A citizen's own personal data, downloaded on request (deletion: accounts:delete)."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from sigap.accounts import audit
from sigap.reports.models import Follower, Report, ReportEvent, Support


def personal_data(user) -> dict:
    """Return everything Sigap keeps about `user`, as plain JSON-ready data."""
    reports = Report.objects.filter(reporter=user).select_related("category").order_by(
        "created_at", "pk")
    comments = ReportEvent.objects.filter(actor=user, kind=ReportEvent.Kind.COMMENT) \
        .select_related("report").order_by("at", "pk")
    return {
        "account": {
            "username": user.get_username(), "display_name": user.display_name,
            "first_name": user.first_name, "last_name": user.last_name,
            "email": user.email, "phone": user.phone, "language": user.language,
            "notify_channel": user.notify_channel, "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
        },
        "reports": [{
            "ticket": r.ticket, "created_at": r.created_at.isoformat(),
            "category": r.category.code, "status": r.status, "description": r.description,
            "answers": r.answers, "address": r.address, "lat": r.lat, "lng": r.lng,
            "is_anonymous": r.is_anonymous, "is_public": r.is_public,
            "contact": {"name": r.contact_name, "phone": r.contact_phone,
                        "email": r.contact_email},
        } for r in reports],
        "comments": [{"ticket": c.report.ticket, "at": c.at.isoformat(), "text": c.note}
                     for c in comments],
        "supported": list(Support.objects.filter(user=user).select_related("report")
                          .order_by("pk").values_list("report__ticket", flat=True)),
        "following": list(Follower.objects.filter(user=user).order_by("pk")
                          .values_list("report__ticket", flat=True)),
    }


@require_GET
@login_required
def download(request):
    """Send the signed-in person their personal data as a JSON file (and record it)."""
    now = timezone.now()
    body = json.dumps(personal_data(request.user), ensure_ascii=False, indent=1)
    audit.record(request.user, audit.PERSONAL_DATA_EXPORT, f"user:{request.user.pk}", now)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="sigap-data-{now:%Y%m%d}.json"'
    return response
