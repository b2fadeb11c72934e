"""The load balancer's probes: alive without the database, ready naming what failed."""

import pytest
from django.core.files.storage import default_storage


def test_it_answers_alive_without_touching_the_database(client):
    # No django_db mark: any query would raise.
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_it_is_ready_when_everything_answers(client):
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200
    assert body["checks"] == {"database": "ok", "cache": "ok", "queue": "ok", "storage": "ok"}
    assert body["failed"] == []


@pytest.mark.django_db
def test_it_names_the_store_that_does_not_answer(client, monkeypatch):
    def unreachable(name):
        raise ConnectionError("no route to the object store")

    monkeypatch.setattr(default_storage, "exists", unreachable)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["storage"]
    assert response.json()["checks"]["storage"] == "ConnectionError"


@pytest.mark.django_db
def test_probes_skip_the_second_factor_language_and_host_checks(client, make_user):
    # A staff session that still owes its second factor, in English, from an unknown host:
    # every other page would redirect or refuse; the probes answer.
    client.force_login(make_user("dispatcher", agency="DLHK"), second_factor=False)
    client.cookies["django_language"] = "en"
    for path in ("/healthz", "/readyz"):
        response = client.get(path, HTTP_HOST="10.1.2.3:8101")
        assert response.status_code == 200, path
