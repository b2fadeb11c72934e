"""`sigap setup` and the demo accounts: what `make serve` relies on."""

import pytest
from django.core.management import call_command
from django.http import HttpRequest

from sigap.accounts.models import Role, User
from sigap.agencies.models import Agency


@pytest.mark.django_db
def test_setup_loads_the_city_and_creates_demo_accounts(settings, tmp_path, monkeypatch,
                                                        capsys, client):
    settings.VAR_DIR = tmp_path
    settings.SIGAP_DEMO_REPORTS, settings.SIGAP_DEMO_CITIZENS = 40, 10  # sigap/demo's tests
    monkeypatch.delenv("SIGAP_DEMO_PASSWORD", raising=False)
    call_command("setup")
    out = capsys.readouterr().out
    password = (tmp_path / "demo-password.txt").read_text().strip()
    assert f"Demo password: {password}" in out
    assert Agency.objects.filter(city__code="kupang", is_field_agency=True).count() == 7
    names = set(User.objects.values_list("username", flat=True))
    for code in ["dlhk", "pupr", "dishub", "dinsos", "satpolpp", "dinkes", "damkar"]:
        assert {f"dispatcher-{code}", f"head-{code}", f"officer-{code}-1",
                f"officer-{code}-2"} <= names
    assert {"admin", "executive"} <= names
    officer = User.objects.get(username="officer-dlhk-1")
    assert officer.role == Role.OFFICER and officer.agency.code == "DLHK"
    assert officer.teams.filter(agency__code="DLHK").exists()
    assert officer.groups.filter(name="Petugas").exists()
    # Idempotent: a second run creates nothing and keeps the password.
    call_command("setup")
    assert User.objects.count() == len(names)
    assert password in capsys.readouterr().out
    assert "Demo two-step verification" in out and "demo-authenticator-key.txt" in out
    # The printed account signs into the admin, with the password and the demo
    # authenticator's code (`sigap democode`), and sees the Kupang data.
    assert client.login(request=HttpRequest(), username="admin", password=password)
    assert client.get("/admin/")["Location"].startswith("/akun/2fa/")
    call_command("democode")
    code = capsys.readouterr().out.strip()
    assert len(code) == 6 and code.isdigit()
    assert client.post("/akun/2fa/", {"token": code, "next": "/admin/"}).status_code == 302
    for url in ["/admin/agencies/agency/", "/admin/agencies/category/", "/admin/cities/area/"]:
        response = client.get(url)
        assert response.status_code == 200
    body = client.get("/admin/agencies/agency/").content.decode()
    assert "Dinas Pemadam Kebakaran" in body and "Satuan Polisi Pamong Praja" in body
    body = client.get("/admin/cities/area/?level__exact=kelurahan").content.decode()
    assert "Penfui" in body and "51" in body
    assert "Fire" in client.get("/admin/agencies/category/").content.decode()


@pytest.mark.django_db
def test_the_admin_speaks_indonesian_and_english(kupang, make_user, client):
    boss = make_user("admin", username="boss", is_staff=True, is_superuser=True)
    client.force_login(boss)  # past the second factor (conftest.Client)
    assert "Kategori" in client.get("/admin/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    assert "Categories" in client.get("/admin/").content.decode()
