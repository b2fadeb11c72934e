"""Security headers, and no inline script or style on any page (the CSP forbids them)."""

import re

import pytest

pytestmark = pytest.mark.django_db
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(ld\+)?json\")[^>]*>",
                           re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=\"|\son[a-z]+=\"", re.I)


@pytest.fixture
def pages(client, make_report, make_user):
    report = make_report()
    officer = make_user("officer", agency=report.agency)
    dispatcher = make_user("dispatcher", agency=report.agency)
    public = ["/", "/lapor/", "/laporan/", f"/r/{report.ticket}",
              f"/r/{report.ticket}/terkirim?k={report.tracking_key}", "/akun/masuk/",
              "/akun/masuk/sandi/", "/di-perangkat/", "/offline/", "/admin/login/",
              "/api/docs/"]
    return report, officer, dispatcher, public


def assert_no_inline(response, url):
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html), (url, INLINE_SCRIPT.search(html).group(0))
    if url == "/api/docs/":  # Swagger UI's own <style>, allowed on that page only
        return
    assert not INLINE_STYLE.search(html), (url, html[max(0, INLINE_STYLE.search(
        html).start() - 80):INLINE_STYLE.search(html).start() + 80])


def test_every_page_sends_a_strict_policy_and_has_no_inline_code(client, pages):
    report, officer, dispatcher, public = pages
    seen = []
    for url in public:
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        seen.append((url, response))
    client.force_login(dispatcher)
    for url in ["/office/", f"/office/r/{report.ticket}/"]:
        seen.append((url, client.get(url)))
    client.force_login(officer)
    seen.append(("/office/tugas/", client.get("/office/tugas/")))
    for url, response in seen:
        assert response.status_code == 200, url
        policy = response["Content-Security-Policy"]
        # Directives come in no fixed order: read them as a mapping.
        directives = dict(d.strip().partition(" ")[::2] for d in policy.split(";") if d.strip())
        assert directives["script-src"] == "'self'", url
        assert "unsafe-inline" not in policy or url == "/api/docs/", url
        assert directives["style-src"].startswith("'self'"), url
        assert directives["object-src"] == "'none'", url
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "DENY"
        assert_no_inline(response, url)


def test_production_cookies_are_secure_and_hsts_is_on():
    import os
    import secrets
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith(("SIGAP_", "DATABASE_URL"))}
    env.update(SIGAP_ENV="production", SIGAP_SECRET_KEY=secrets.token_urlsafe(50),
               SIGAP_ALLOWED_HOSTS="sigap.example", DJANGO_SETTINGS_MODULE="sigap.settings")
    code = ("from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, "
            "s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.DEBUG)")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True, timeout=60).stdout.split()
    assert out == ["True", "True", "31536000", "False"]
