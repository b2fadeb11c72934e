"""Each staff member of a single-city install belongs to its city: an agency's staff to
the agency's city, the administrators and the executive to the install's city."""

from django.db import migrations

from sigap.cities.upgrade import home_city

STAFF = ("officer", "dispatcher", "head", "admin", "executive")


def forward(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Agency = apps.get_model("agencies", "Agency")
    for agency in Agency.objects.all():
        User.objects.filter(agency=agency).update(city_id=agency.city_id)
    city = home_city(apps)
    if city is not None:
        User.objects.filter(role__in=STAFF, city__isnull=True).update(city=city)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_city_tenancy"), ("agencies", "0001_initial"),
                    ("cities", "0001_initial")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
