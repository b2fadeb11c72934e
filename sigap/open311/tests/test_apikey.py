"""API keys: issued by command or admin, stored hashed, revocable."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command

from sigap.open311.models import ApiKey, hash_key

pytestmark = pytest.mark.django_db


def test_it_prints_a_new_key_and_stores_only_its_hash(kupang):
    out = io.StringIO()
    call_command("apikey", "create", "LaporKupang", "--rate", "5", stdout=out)
    raw = out.getvalue().strip()
    key = ApiKey.objects.get()
    assert (key.name, key.rate_per_minute, key.is_active) == ("LaporKupang", 5, True)
    assert key.key_hash == hash_key(raw) and raw not in key.key_hash
    assert ApiKey.objects.for_raw(raw) == key
    assert ApiKey.objects.for_raw(raw + "x") is None


def test_it_revokes_a_key_by_prefix_and_the_key_stops_working(kupang):
    out = io.StringIO()
    call_command("apikey", "create", "Lama", stdout=out)
    raw = out.getvalue().strip()
    call_command("apikey", "revoke", raw[:8], stdout=io.StringIO())
    assert ApiKey.objects.for_raw(raw) is None
    assert ApiKey.objects.get().revoked_at is not None


def test_it_issues_a_key_in_the_admin_and_shows_it_once(admin_client, kupang):
    response = admin_client.post("/admin/open311/apikey/add/", {
        "name": "Aplikasi Kampus", "contact": "", "rate_per_minute": "30", "is_active": "on"},
        follow=True)
    assert response.status_code == 200
    key = ApiKey.objects.get()
    shown = [str(m) for m in response.context["messages"]]
    raw = shown[0].split(": ", 1)[1].split(" ")[0]
    assert ApiKey.objects.for_raw(raw) == key


def test_it_revokes_keys_with_the_admin_action(admin_client, kupang, now):
    key, raw = ApiKey.issue("X", now=now)
    admin_client.post("/admin/open311/apikey/", {
        "action": "revoke", "_selected_action": [key.pk]})
    assert ApiKey.objects.for_raw(raw) is None


def test_it_refuses_a_key_revoked_after_a_worker_memorised_it(o311, now):
    from sigap.open311 import keys
    from sigap.open311.tests.test_conformance import valid_post
    from sigap.reports.models import Report

    key, raw = ApiKey.issue("Diingat", now=now, rate_per_minute=10)
    assert o311.post("json", valid_post(raw))[0].status_code == 200
    assert keys.find(raw) == key  # memorised in this worker
    ApiKey.objects.filter(pk=key.pk).update(is_active=False)  # revoked elsewhere
    response, body = o311.post("json", valid_post(raw))
    assert response.status_code == 403
    assert Report.objects.count() == 1
    assert keys.find(raw) is None  # and forgotten


def test_it_counts_each_minute_afresh_and_only_accepted_posts(o311, now, clock):
    from sigap.open311.tests.test_conformance import valid_post
    from sigap.reports.models import Report

    key, raw = ApiKey.issue("Per menit", now=now, rate_per_minute=2)
    bad = {**valid_post(raw), "lat": "-9.0"}  # outside the city: refused, not counted
    assert o311.post("json", bad)[0].status_code == 400
    assert [o311.post("json", valid_post(raw))[0].status_code for _ in range(3)] == [
        200, 200, 429]
    clock.shift(timedelta(seconds=61))
    assert o311.post("json", valid_post(raw))[0].status_code == 200
    assert Report.objects.count() == 3
    key.refresh_from_db()
    assert key.rate_count == 1
