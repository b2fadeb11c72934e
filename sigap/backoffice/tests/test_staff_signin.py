"""Staff sign in by username at /office/masuk/ and land on the office; every staff page has
the office navigation and a favicon."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_office_sends_visitors_to_the_staff_sign_in(client):
    response = client.get("/office/")
    assert response.status_code == 302
    assert response["Location"] == "/office/masuk/?next=/office/"
    page = client.get(response["Location"]).content.decode()
    assert "Nama pengguna" in page and "Nomor HP atau e-mail" not in page
    assert 'rel="icon"' in page


def test_staff_sign_in_by_username_and_land_on_the_office(client, make_user):
    from conftest import pass_second_factor

    dewi = make_user("dispatcher", agency="DLHK", username="dewi")
    response = client.post("/office/masuk/", {"username": "dewi", "password": "pw-Sigap-2026",
                                              "next": "/office/"})
    assert response.status_code == 302 and response["Location"] == "/office/"
    # The password alone is not enough: the second factor first (docs/decisions/0008).
    assert client.get("/office/")["Location"] == "/akun/2fa/?next=%2Foffice%2F"
    pass_second_factor(client, dewi)
    assert client.get("/office/").status_code == 200


def test_it_keeps_the_office_page_asked_for_and_nothing_else(client, make_user):
    make_user("officer", agency="DLHK", username="yohanes")
    ok = client.post("/office/masuk/", {"username": "yohanes", "password": "pw-Sigap-2026",
                                        "next": "/office/tugas/"})
    assert ok["Location"] == "/office/tugas/"
    client.logout()
    evil = client.post("/office/masuk/", {"username": "yohanes", "password": "pw-Sigap-2026",
                                          "next": "https://evil.test/office/"})
    assert evil["Location"] == "/office/tugas/"  # the officer's own page, not the other host


def test_wrong_password_and_citizens_are_refused_alike(client, make_user):
    make_user("dispatcher", agency="DLHK", username="dewi")
    make_user("citizen", username="warga")
    for username, password in (("dewi", "salah"), ("warga", "pw-Sigap-2026")):
        response = client.post("/office/masuk/", {"username": username, "password": password})
        assert response.status_code == 400
        assert "bukan akun petugas" in response.content.decode()
        assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("url", ["/office/", "/office/tugas/"])
def test_every_staff_page_has_the_office_navigation_and_a_favicon(client, make_user, url):
    client.force_login(make_user("admin"))
    page = client.get(url).content.decode()
    assert 'rel="icon"' in page and 'header class="top"' in page
    assert 'href="/office/tugas/"' in page
