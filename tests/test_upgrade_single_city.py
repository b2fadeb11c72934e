"""An existing single-city database migrates in place with nothing lost (issue 26).

The database is taken back to the schema before cities became tenants (accounts 0004,
backoffice 0001, open311 0002), filled as a single-city install of that day was — a city,
an agency, its dispatcher, the city administrator and the executive, a citizen, response
templates for one agency and for all, an Open311 key, a report — then migrated forward: every
staff member, template and key belongs to the city, nothing is dropped, and the citizen
stays a citizen of no city in particular."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("accounts", "0004_audit_entry"), ("backoffice", "0001_response_templates"),
          ("open311", "0002_apikey_rate_counter")]
NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def _before():
    """Every other app as it is today, the three tenancy apps as they were."""
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    old = dict(BEFORE)
    return [(app, old.get(app, name)) for app, name in leaves if app not in old] + BEFORE


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def test_a_single_city_database_migrates_in_place(settings):
    settings.SIGAP_DEFAULT_CITY = "lama"
    old = _migrate(_before())
    City = old.get_model("cities", "City")
    Agency = old.get_model("agencies", "Agency")
    User = old.get_model("accounts", "User")
    Template = old.get_model("backoffice", "ResponseTemplate")
    ApiKey = old.get_model("open311", "ApiKey")
    city = City.objects.create(code="lama", name="Kota Lama", ticket_prefix="LMA",
                               center_lat=-10.17, center_lng=123.6)
    agency = Agency.objects.create(city=city, code="DLHK", name="Dinas Lingkungan Hidup")
    dispatcher = User.objects.create(username="dispatcher-dlhk", role="dispatcher",
                                     agency=agency)
    admin = User.objects.create(username="admin-kota", role="admin")
    executive = User.objects.create(username="pimpinan", role="executive")
    citizen = User.objects.create(username="warga", role="citizen")
    general = Template.objects.create(agency=None, title="Terima kasih", text="Terima kasih.")
    own = Template.objects.create(agency=agency, title="Dijadwalkan", text="Besok pagi.")
    key = ApiKey.objects.create(name="Aplikasi warga", prefix="abcdefgh", key_hash="0" * 64,
                                created_at=NOW)
    counts = {name: model.objects.count() for name, model in (
        ("users", User), ("templates", Template), ("keys", ApiKey), ("agencies", Agency))}

    new = _migrate(_latest())
    User = new.get_model("accounts", "User")
    Template = new.get_model("backoffice", "ResponseTemplate")
    ApiKey = new.get_model("open311", "ApiKey")
    Agency = new.get_model("agencies", "Agency")
    assert {name: model.objects.count() for name, model in (
        ("users", User), ("templates", Template), ("keys", ApiKey),
        ("agencies", Agency))} == counts
    for staff in (dispatcher, admin, executive):
        assert User.objects.get(pk=staff.pk).city_id == city.pk, staff.username
    assert User.objects.get(pk=citizen.pk).city_id is None
    assert Template.objects.get(pk=general.pk).city_id == city.pk
    assert Template.objects.get(pk=own.pk).city_id == city.pk
    assert ApiKey.objects.get(pk=key.pk).city_id == city.pk
    assert User.objects.get(pk=dispatcher.pk).agency_id == agency.pk
