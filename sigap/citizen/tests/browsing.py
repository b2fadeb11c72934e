"""Helpers for the browser tests: headless Chromium, phone contexts at a given size, the
screenshots, and the check that an element is on screen and not covered by anything."""

import os
import shutil
import tempfile
from pathlib import Path

import pytest

# `make screenshots` refreshes docs/screenshots/; ordinary runs write to a temporary folder
# so that the test suite leaves the work tree clean.
SHOTS = (Path(os.environ["SIGAP_SCREENSHOTS_DIR"]) if os.environ.get("SIGAP_SCREENSHOTS_DIR")
         else Path(tempfile.gettempdir()) / "sigap-shots")
PHONE = {"width": 360, "height": 740}
PHONES = [{"width": 360, "height": 640}, {"width": 360, "height": 740}]
DESK = {"width": 1366, "height": 768}


@pytest.fixture(scope="module")
def _async_unsafe():
    """Let Django's ORM run beside Playwright's event loop, only while these tests run.

    Set for the module, not at import: a leftover variable fails `check --deploy` (async.E001)
    in whatever test the same worker runs next.
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="module")
def browser(_async_unsafe):
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed (make chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield b
        b.close()


@pytest.fixture
def screen(browser, live_server, settings, kupang):
    """Return open(viewport=PHONE, mobile=True, **options) -> (context, page)."""
    settings.SIGAP_TILE_URL = ""  # no internet here: the map draws the city outline only
    contexts = []

    def open_page(viewport=PHONE, mobile=True, timeout=10_000, **options):
        context = browser.new_context(viewport=viewport, device_scale_factor=1,
                                      is_mobile=mobile, has_touch=mobile, locale="id-ID",
                                      **options)
        context.set_default_timeout(timeout)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda m: "Content Security Policy" in m.text and
                violations.append(m.text))
        return context, page

    violations: list[str] = []
    yield open_page
    for c in contexts:
        c.close()
    assert not violations, "\n".join(violations)  # every page works under the strict CSP


@pytest.fixture
def signed_in(screen, live_server):
    """Return open_as(user, viewport=PHONE, **options) -> page: a browser signed in as `user`
    (None: nobody), on a phone-like screen when the viewport is a phone's."""
    from conftest import Client

    def open_as(user, viewport=PHONE, **options):
        options.setdefault("mobile", viewport["width"] < 800)
        context, page = screen(viewport, **options)
        if user is not None:
            client = Client()
            client.force_login(user)
            context.add_cookies([{"name": "sessionid", "url": live_server.url,
                                  "value": client.cookies["sessionid"].value}])
        return page

    return open_as


def shot(page, name, full=False):
    SHOTS.mkdir(parents=True, exist_ok=True)
    if full:  # the fixed bars would otherwise sit in the middle of a long page
        page.evaluate("() => document.querySelectorAll('.tabs,.top,.step-nav').forEach("
                      "e => e.style.setProperty('position', 'static', 'important'))")
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full)


# For each selector: is the element wholly inside the viewport, and does the browser, asked
# what is at its centre and just inside its (rounded) corners, answer the element (or a descendant)?
_UNCOVERED = """(selectors) => selectors.flatMap((sel) => {
  const el = document.querySelector(sel);
  if (!el) { return [sel + ': missing']; }
  const r = el.getBoundingClientRect(), W = innerWidth, H = innerHeight, out = [];
  if (r.width === 0 || r.height === 0) { return [sel + ': not shown']; }
  if (r.top < 0 || r.left < 0 || r.bottom > H + 0.5 || r.right > W + 0.5) {
    out.push(`${sel}: outside the viewport (${Math.round(r.left)},${Math.round(r.top)},` +
             `${Math.round(r.right)},${Math.round(r.bottom)}) in ${W}x${H}`);
  }
  const d = Math.min(12, r.width / 4, r.height / 4);
  const pts = [[(r.left + r.right) / 2, (r.top + r.bottom) / 2], [r.left + d, r.top + d],
               [r.right - d, r.top + d], [r.left + d, r.bottom - d], [r.right - d, r.bottom - d]];
  pts.forEach(([x, y], i) => {
    const hit = document.elementFromPoint(x, y);
    if (!hit || !(hit === el || el.contains(hit))) {
      out.push(`${sel}: ${i ? 'corner' : 'centre'} covered by ` +
               (hit ? hit.tagName.toLowerCase() + (hit.id ? '#' + hit.id : '') +
                      (hit.className && hit.className.baseVal === undefined ?
                       '.' + String(hit.className).split(' ').join('.') : '') : 'nothing'));
    }
  });
  return out;
})"""


def uncovered_problems(page, *selectors) -> list[str]:
    """Return what keeps each selector's element from being fully seen (empty: all fine)."""
    return page.evaluate(_UNCOVERED, list(selectors))
