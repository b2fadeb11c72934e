"""The PWA files and the report form's page-weight budget."""

import json
import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR) / "static"
BUDGET = 300 * 1024
# Leaflet's own images that the form shows once a pin is placed.
PIN_IMAGES = ["vendor/leaflet/images/marker-icon.png", "vendor/leaflet/images/marker-icon-2x.png",
              "vendor/leaflet/images/marker-shadow.png"]


def test_it_serves_the_service_worker_from_the_root_scope(client, kupang):
    response = client.get("/sw.js")
    body = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    version = re.search(r'const VERSION = "([0-9a-f]{12})"', body)
    shell = json.loads(re.search(r"const SHELL = (\[.*\]);", body).group(1))
    assert version and "/static/citizen/report.js" in shell and "/offline/" in shell
    for path in shell:
        assert client.get(path).status_code == 200 or path.startswith("/static/"), path
        if path.startswith("/static/"):
            assert (ROOT / path.removeprefix("/static/")).is_file(), path


def test_it_serves_an_installable_manifest(client, kupang):
    response = client.get("/manifest.webmanifest")
    data = json.loads(response.content)
    assert response["Content-Type"] == "application/manifest+json"
    assert data["display"] == "standalone" and data["start_url"].startswith("/")
    assert {"192x192", "512x512"} <= {icon["sizes"] for icon in data["icons"]}
    assert any(icon.get("purpose") == "maskable" for icon in data["icons"])
    for icon in data["icons"]:
        assert (ROOT / icon["src"].removeprefix("/static/")).stat().st_size > 500
    assert b'rel="manifest"' in client.get("/").content


def test_the_report_form_stays_under_300_kb(client, kupang):
    """Everything the form page loads, except map tiles: HTML, CSS, JS, icons, pin images."""
    response = client.get("/lapor/")
    html = response.content.decode()
    assets = set(re.findall(r'(?:src|href)="/static/([^"#?]+)', html)) | set(PIN_IMAGES)
    assert "vendor/leaflet/leaflet.js" in assets and "citizen/report.js" in assets
    assert "citizen/app.css" in assets and "citizen/icons.svg" in assets
    sizes = {name: (ROOT / name).stat().st_size for name in assets}
    total = len(response.content) + sum(sizes.values())
    assert total < BUDGET, f"{total} bytes: {sorted(sizes.items(), key=lambda kv: -kv[1])}"
    # No CDN or other origin: every script and style sheet is ours.
    assert not re.search(r'(?:src|href)="https?://', html)
