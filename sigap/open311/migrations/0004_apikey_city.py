"""The keys of a single-city install were issued by its city."""

from django.db import migrations

from sigap.cities.upgrade import home_city


def forward(apps, schema_editor):
    city = home_city(apps)
    if city is not None:
        apps.get_model("open311", "ApiKey").objects.filter(city__isnull=True).update(city=city)


class Migration(migrations.Migration):
    dependencies = [("open311", "0003_city_tenancy"), ("cities", "0001_initial")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
