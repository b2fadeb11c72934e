"""Categories, agencies and areas attached to listed reports from the worker's catalogue."""

import pytest

from sigap.reports import catalogue
from sigap.reports.models import Report

pytestmark = pytest.mark.django_db


def test_it_attaches_without_a_query_per_page(kupang, make_report, django_assert_num_queries):
    made = [make_report(code=code) for code in ("SAMPAH", "MACET", "SAMPAH")]
    catalogue.attach(Report.objects.all(), kupang)  # loads the catalogue once
    rows = list(Report.objects.order_by("pk"))
    with django_assert_num_queries(0):
        catalogue.attach(rows, kupang)
        seen = [(r.category.code, r.agency.code, r.kelurahan.name, r.kecamatan.name)
                for r in rows]
    assert seen == [(m.category.code, m.agency.code, m.kelurahan.name, m.kecamatan.name)
                    for m in made]


def test_it_reloads_once_for_a_category_it_did_not_know(kupang, make_report, category):
    from sigap.agencies.models import Category

    catalogue.attach([make_report()], kupang)
    base = category("SAMPAH")
    new = Category.objects.create(
        city=kupang, code="BARU", name_id="Baru", name_en="New", agency=base.agency,
        group=base.group)
    report = make_report()
    Report.objects.filter(pk=report.pk).update(category=new)
    [row] = catalogue.attach(Report.objects.filter(pk=report.pk), kupang)
    assert row.category.code == "BARU"
