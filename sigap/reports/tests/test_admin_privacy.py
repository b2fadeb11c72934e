"""Issue 24, defect 5: the Django admin follows the one privacy rule (reports.privacy)."""

import pytest

from sigap.accounts.models import AuditEntry
from sigap.accounts.roles import sync_user_groups
from sigap.reports import services

pytestmark = pytest.mark.django_db
PHONE = "0812 5550 9876"


@pytest.fixture
def report(make_report):
    return make_report("KESEHATAN", contact=services.Contact(
        name="Maria Pelapor", phone=PHONE, email="maria@contoh.id"))


def admin_page(client, user, report):
    user.is_staff = True
    user.save()
    sync_user_groups(user)
    client.force_login(user)
    return client.get(f"/admin/reports/report/{report.pk}/change/")


def test_the_executive_does_not_see_reporters_contacts_in_the_admin(client, make_user,
                                                                     report):
    page = admin_page(client, make_user("executive"), report)
    html = page.content.decode()
    assert page.status_code == 200 and report.ticket in html
    assert report.contact_phone == "+6281255509876"  # stored as one normaliser writes it
    for secret in (report.contact_phone, "5550", "maria@contoh.id", "Maria Pelapor"):
        assert secret not in html
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.CONTACT_VIEWED).exists()


def test_the_city_administrator_sees_them_and_it_is_recorded(client, make_user, report):
    page = admin_page(client, make_user("admin", is_superuser=True), report)
    html = page.content.decode()
    assert page.status_code == 200 and report.contact_phone in html
    assert "maria@contoh.id" in html
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CONTACT_VIEWED)
    assert entry.target == f"report:{report.ticket}"
