"""The pages that show recognition: the transparency board, the citizen's own page, and the
office's trust switch on the back-office report page."""

from datetime import timedelta

import pytest
from django.urls import reverse

from sigap.recognition import services as recognition
from sigap.recognition.models import Profile, TrustRevocation

pytestmark = pytest.mark.django_db


def test_the_transparency_page_shows_the_board_by_opt_in_name(
        client, make_report, make_user, fixed, now, kupang, time_machine):
    time_machine.move_to(now + timedelta(hours=1), tick=False)
    shy = make_user(display_name="Yohanes Shy", phone="+6281234567890",
                    email="shy@example.org")
    proud = make_user(display_name="Maria Lado")
    recognition.set_show_name(proud, True)
    fixed(make_report(reporter=shy), now)
    fixed(make_report(reporter=proud), now)
    page = client.get(reverse("transparency:home")).content.decode()
    assert "Maria Lado" in page
    assert "Yohanes" not in page and "6281234567890" not in page and "shy@example" not in page
    assert page.count("data-board-entry") == 2
    october = client.get(reverse("transparency:home") + "?bulan=2026-10").content.decode()
    assert "data-board-empty" in october and "Maria Lado" not in october


def test_the_citizens_own_page_shows_points_badges_and_the_opt_in(
        client, make_report, make_user, fixed, rejected, now):
    citizen = make_user(display_name="Maria Lado")
    fixed(make_report(reporter=citizen), now)
    rejected(make_report(reporter=citizen), now)
    client.force_login(citizen)
    page = client.get(reverse("citizen:mine")).content.decode()
    assert "10 poin" in page and 'data-badge="first"' in page
    assert 'name="show_name" checked' not in page  # off until the citizen says so
    client.post(reverse("citizen:show_name"), {"show_name": "on"})
    assert Profile.objects.get(user=citizen).show_name
    page = client.get(reverse("citizen:mine")).content.decode()
    assert 'name="show_name" checked' in page
    client.post(reverse("citizen:show_name"), {})
    assert not Profile.objects.get(user=citizen).show_name


def test_the_opt_in_needs_a_signed_in_post(client):
    response = client.post(reverse("citizen:show_name"), {"show_name": "on"})
    assert response.status_code == 302 and not Profile.objects.exists()


@pytest.fixture
def trusted_report(make_report, make_user, fixed, now):
    citizen = make_user(display_name="Maria Lado")
    for _ in range(5):
        fixed(make_report(reporter=citizen), now - timedelta(days=2))
    return make_report(reporter=citizen)


def test_the_report_page_shows_the_reporters_trust_and_the_office_revokes_it(
        client, trusted_report, make_user, kupang, make_report):
    admin = make_user("admin")
    client.force_login(admin)
    url = reverse("backoffice:report", args=[trusted_report.ticket])
    page = client.get(url).content.decode()
    assert 'id="reporter-trust"' in page and "langsung diverifikasi" in page
    client.post(reverse("backoffice:reporter_trust", args=[trusted_report.ticket]),
                {"trust": "revoke", "reason": "Foto palsu"})
    revocation = TrustRevocation.objects.get()
    assert (revocation.city, revocation.user, revocation.revoked_by, revocation.reason) == (
        kupang, trusted_report.reporter, admin, "Foto palsu")
    assert "Dicabut oleh kantor kota" in client.get(url).content.decode()
    assert make_report(reporter=trusted_report.reporter).status == "submitted"
    client.post(reverse("backoffice:reporter_trust", args=[trusted_report.ticket]),
                {"trust": "restore"})
    assert not TrustRevocation.objects.exists()


def test_only_the_city_office_may_revoke_trust(client, trusted_report, make_user):
    dispatcher = make_user("dispatcher", agency="DLHK")
    client.force_login(dispatcher)
    page = client.get(reverse("backoffice:report", args=[trusted_report.ticket]))
    assert "Cabut status tepercaya" not in page.content.decode()
    response = client.post(reverse("backoffice:reporter_trust", args=[trusted_report.ticket]),
                           {"trust": "revoke"})
    assert response.status_code == 403 and not TrustRevocation.objects.exists()
