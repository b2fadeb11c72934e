"""After a failed action on a task (no JavaScript), the officer is back at the task's address
with the error and what they typed."""

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


@pytest.fixture
def assigned(client, make_user, make_report):
    """Return a report assigned to an officer who is signed in."""
    from sigap.reports import services

    now = timezone.now()
    officer = make_user("officer", agency="DLHK")
    dispatcher = make_user("dispatcher", agency="DLHK")
    report = make_report(at=now)
    services.verify(report.pk, actor=dispatcher, now=now)
    services.assign(report.pk, actor=dispatcher, now=now, officer=officer)
    client.force_login(officer)
    return report


def test_a_failed_resolve_comes_back_to_the_task_keeping_the_note(client, assigned):
    report = assigned
    task = f"/office/tugas/{report.ticket}/"
    response = client.post(f"/office/r/{report.ticket}/aksi/resolve/",
                           {"view": "task", "note": "Sudah diangkut"})
    assert response.status_code == 302 and response["Location"] == task
    page = client.get(task)
    assert page.status_code == 400
    html = page.content.decode()
    assert "Lampirkan minimal satu foto bukti." in html and "Sudah diangkut</textarea>" in html
    assert client.get(task).status_code == 200  # shown once


def test_the_json_answer_says_what_went_wrong(client, assigned):
    report = assigned
    response = client.post(f"/office/r/{report.ticket}/aksi/resolve/",
                           {"view": "task", "note": "x"}, headers={"accept": "application/json"})
    assert response.status_code == 400
    assert response.json() == {"ok": False, "error": "Lampirkan minimal satu foto bukti."}
