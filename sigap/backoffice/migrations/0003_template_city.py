"""Each response template belongs to a city: its agency's, or (a template for every agency)
the install's."""

from django.db import migrations, models
import django.db.models.deletion

from sigap.cities.upgrade import home_city


def forward(apps, schema_editor):
    Template = apps.get_model("backoffice", "ResponseTemplate")
    for template in Template.objects.select_related("agency"):
        city = template.agency.city_id if template.agency_id else None
        if city is None:
            home = home_city(apps)
            city = home.pk if home else None
        if city is None:
            template.delete()  # no city at all: a database with no city has no office
        else:
            Template.objects.filter(pk=template.pk).update(city_id=city)


class Migration(migrations.Migration):
    dependencies = [("backoffice", "0002_city_tenancy")]
    operations = [
        migrations.RunPython(forward, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="responsetemplate", name="city",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                    related_name="+", to="cities.city", verbose_name="kota"),
        ),
    ]
