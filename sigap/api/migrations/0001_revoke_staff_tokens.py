"""Revoke the API tokens of staff accounts (issue 24, defect 2; docs/decisions/0008).

They were given for a password alone; from now on /api/v1/auth/token/ gives a staff member a
token only with the second factor, so a staff client asks again, with its `otp`."""

from django.db import migrations
from django.db.models import Q

STAFF_ROLES = ["officer", "dispatcher", "head", "admin", "executive"]


def revoke(apps, schema_editor):
    Token = apps.get_model("authtoken", "Token")
    Token.objects.filter(Q(user__role__in=STAFF_ROLES) | Q(user__is_staff=True)
                         | Q(user__is_superuser=True)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("authtoken", "0004_alter_tokenproxy_options"),
        ("accounts", "0004_audit_entry"),
    ]

    operations = [migrations.RunPython(revoke, migrations.RunPython.noop)]
