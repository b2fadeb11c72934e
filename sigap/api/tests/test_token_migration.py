"""The migration that revokes staff API tokens given for a password alone (issue 24)."""

import importlib

import pytest
from django.apps import apps
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db


def test_it_revokes_staff_tokens_and_keeps_citizens(make_user):
    migration = importlib.import_module("sigap.api.migrations.0001_revoke_staff_tokens")
    citizen = make_user("citizen")
    staff = [make_user("dispatcher", agency="DLHK"), make_user("officer", agency="DLHK"),
             make_user("citizen", is_superuser=True)]
    for user in [citizen, *staff]:
        Token.objects.create(user=user)
    migration.revoke(apps, None)
    assert list(Token.objects.values_list("user_id", flat=True)) == [citizen.pk]
