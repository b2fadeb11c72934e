"""A transition locks its report's row and nothing else (PostgreSQL: a FOR UPDATE over a join
locks every joined row; the agency's row, which each new report of the agency needs a
key-share lock on, made two desks' transactions deadlock under load, issue 27's cluster)."""

import threading

import pytest
from django.db import DatabaseError, connection, connections, transaction

from sigap.reports.services.common import _lock

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL only")
def test_a_locked_report_leaves_its_agency_category_and_city_free(make_report):
    report = make_report()
    answers = {}

    def other_desk():
        try:
            with transaction.atomic():
                with connections["default"].cursor() as cursor:
                    for table, pk in (("agencies_agency", report.agency_id),
                                      ("agencies_category", report.category_id),
                                      ("cities_city", report.city_id)):
                        cursor.execute(f"SELECT id FROM {table} WHERE id = %s FOR UPDATE NOWAIT",
                                       [pk])
            answers["free"] = True
        except DatabaseError as exc:
            answers["free"] = False
            answers["error"] = str(exc)
        finally:
            connections.close_all()

    with transaction.atomic():
        _lock(report.pk)
        thread = threading.Thread(target=other_desk)
        thread.start()
        thread.join()
    assert answers == {"free": True}, answers
