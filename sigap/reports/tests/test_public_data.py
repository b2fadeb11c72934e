"""One choke point for "public data changed" (sigap.lib.publicdata): every write of a model a
public answer shows bumps the data version, whoever makes it (a service, the admin, a
queryset update), once per transaction."""

import pytest
from django.db import transaction

from sigap.reports import freshness
from sigap.reports.models import Report

pytestmark = pytest.mark.django_db


def admin_form_data(response) -> dict:
    """The POST an admin change form would send back unchanged (main form and inlines)."""
    data = {}

    def add(form):
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            if isinstance(value, (list, tuple)):
                data[form.add_prefix(name)] = [str(v) for v in value]
            elif value is True:
                data[form.add_prefix(name)] = "on"
            else:
                shown = form.fields[name].widget.format_value(value)
                data[form.add_prefix(name)] = "" if shown is None else shown

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[formset.management_form.add_prefix(key)] = value
        for sub in formset.initial_forms:
            add(sub)
    return data


def test_an_admin_edit_of_is_public_bumps_the_version(admin_client, make_report):
    report = make_report()
    url = f"/admin/reports/report/{report.pk}/change/"
    data = admin_form_data(admin_client.get(url))
    assert data.pop("is_public") == "on"
    before = freshness.version()
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content[:2000]
    assert Report.objects.get(pk=report.pk).is_public is False
    assert freshness.version() > before


def test_an_admin_edit_of_a_category_bumps_the_version(admin_client, category):
    cat = category("SAMPAH")
    url = f"/admin/agencies/category/{cat.pk}/change/"
    data = admin_form_data(admin_client.get(url))
    data["is_sensitive"] = "on"
    before = freshness.version()
    response = admin_client.post(url, data)
    assert response.status_code == 302, (response.context["adminform"].form.errors, [
        f.errors for i in response.context["inline_admin_formsets"] for f in i.formset])
    cat.refresh_from_db()
    assert cat.is_sensitive
    assert freshness.version() > before


def test_deleting_an_account_bumps_the_version(make_report, make_user, now):
    from sigap.accounts import services as accounts

    citizen = make_user("citizen")
    make_report(reporter=citizen)
    before = freshness.version()
    accounts.delete_account(citizen, now=now)
    assert freshness.version() > before


def test_a_queryset_update_and_delete_bump_the_version(make_report):
    report = make_report()
    before = freshness.version()
    with transaction.atomic():  # each its own transaction, as in a request
        Report.objects.filter(pk=report.pk).update(is_public=False)
    assert freshness.version() == before + 1
    with transaction.atomic():
        Report.objects.filter(pk=report.pk).delete()
    assert freshness.version() == before + 2


def test_an_update_that_matches_nothing_bumps_nothing(kupang):
    before = freshness.version()
    Report.objects.filter(pk=-1).update(is_public=False)
    assert freshness.version() == before


def test_a_transaction_bumps_once_however_many_writes(make_report):
    report = make_report()
    before = freshness.version()
    with transaction.atomic():
        for _ in range(3):
            Report.objects.filter(pk=report.pk).update(priority=2)
        report.save()
    assert freshness.version() == before + 1


def test_a_write_after_a_rolled_back_savepoint_bumps_again(make_report):
    report = make_report()
    before = freshness.version()
    with transaction.atomic():
        try:
            with transaction.atomic():
                Report.objects.filter(pk=report.pk).update(priority=2)
                raise RuntimeError("undo")
        except RuntimeError:
            pass
        assert freshness.version() == before  # the savepoint took its bump with it
        Report.objects.filter(pk=report.pk).update(priority=3)
    assert freshness.version() == before + 1
