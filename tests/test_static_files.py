"""Static files in production: hashed, compressed by collectstatic and served compressed by
whitenoise (the tests otherwise run with STATIC_MANIFEST=0, so this runs a real collectstatic in a
subprocess with the production storage); the partial plotly.js bundle and the favicon."""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

from django.contrib.staticfiles import finders

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = """
import json, sys, django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.test.utils import override_settings
from django.templatetags.static import static

with override_settings(STATIC_ROOT=sys.argv[1]):
    call_command("collectstatic", "--noinput", verbosity=0)
    storage = settings.STORAGES["staticfiles"]["BACKEND"]
    c = Client(HTTP_HOST="kpi.example.lg.jp")
    out = {"storage": storage}
    for name in ["vendor/plotly/plotly-scatter-bar.min.js", "css/app.css", "favicon.svg"]:
        url = static(name)
        plain = c.get(url, secure=True)
        gz = c.get(url, secure=True, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
        out[name] = {
            "url": url,
            "status": gz.status_code,
            "encoding": gz.get("Content-Encoding"),
            "plain_bytes": len(b"".join(plain.streaming_content)),
            "sent_bytes": len(b"".join(gz.streaming_content)),
            "cache": gz.get("Cache-Control"),
        }
    ico = c.get("/favicon.ico", secure=True)
    out["favicon.ico"] = [ico.status_code, ico.get("Location")]
print(json.dumps(out))
"""


def test_it_serves_hashed_compressed_static_files_in_production(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("SECURE_SSL_REDIRECT",)}
    env.update(
        DEBUG="0",
        SECRET_KEY="x7Qm2vR9pL4sT8wZ1nB6cF3hJ5kD0gY-aE_uI$oP!rN@tM#qV%bC",
        ALLOWED_HOSTS="kpi.example.lg.jp",
        STATIC_MANIFEST="1",
        DJANGO_SETTINGS_MODULE="nemuro_strategy.settings",
    )
    r = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "static")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["storage"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    plotly = out["vendor/plotly/plotly-scatter-bar.min.js"]
    assert plotly["url"].startswith("/static/vendor/plotly/plotly-scatter-bar.min.")  # hashed
    assert plotly["status"] == 200
    assert plotly["encoding"] == "br"  # Brotli is a dependency: .br beside .gz
    assert plotly["sent_bytes"] < 350_000 < 1_000_000 < plotly["plain_bytes"]
    assert "immutable" in plotly["cache"]  # hashed files are cached for good
    assert out["css/app.css"]["encoding"] in ("gzip", "br")
    assert out["favicon.ico"][0] == 301
    assert out["favicon.ico"][1] == out["favicon.svg"]["url"]


def test_the_plotly_bundle_is_the_partial_one_built_by_the_script_with_its_licence():
    """The file is what static/vendor/plotly/README.md and scripts/plotly/ say it is: plotly.js
    4.1.1 built by scripts/build_plotly.sh, with the sha256 the README records."""
    bundle = Path(finders.find("vendor/plotly/plotly-scatter-bar.min.js"))
    data = bundle.read_bytes()
    assert data.startswith(
        b"//# allFunctionsCalledOnLoad\n"  # V8: compile it all off the main thread
        b"/*! plotly.js v4.1.1, partial bundle: core (scatter) + bar;"
    )
    assert len(data) < 1_150_000  # the prebuilt basic bundle is 1.19 MB, the full one 4.8 MB
    readme = (bundle.parent / "README.md").read_text()
    assert f"sha256 of our copy: `{hashlib.sha256(data).hexdigest()}`" in readme
    assert "MIT License" in (bundle.parent / "LICENSE").read_text()
    pins = json.loads((ROOT / "scripts/plotly/package.json").read_text())["dependencies"]
    assert pins == {"plotly.js": "4.1.1", "esbuild": "0.28.2"}
    lock = json.loads((ROOT / "scripts/plotly/package-lock.json").read_text())["packages"]
    assert lock["node_modules/plotly.js"]["version"] == "4.1.1"
    assert "plotly.js/lib/bar" in (ROOT / "scripts/plotly/entry.js").read_text()
    script = (ROOT / "scripts/build_plotly.sh").read_text()
    assert "PLOTLY_VERSION=4.1.1\nESBUILD_VERSION=0.28.2" in script
    # Only the one bundle: neither the prebuilt basic one nor the 4.8 MB full one is served.
    assert sorted(p.name for p in bundle.parent.glob("*.js")) == ["plotly-scatter-bar.min.js"]
    assert not finders.find("plotly/plotly.min.js")


def test_every_page_links_the_favicon(client):
    body = client.get("/login/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in body
    assert finders.find("favicon.svg")
    r = client.get("/favicon.ico")
    assert (r.status_code, r["Location"]) == (301, "/static/favicon.svg")


CDN_HOSTS = (
    "cdn.plot.ly",
    "cdn.jsdelivr.net",
    "unpkg.com",
    "cdnjs.cloudflare.com",
    "googleapis.com",
    "cloud.plotly.com",  # plotly's "send to Chart Studio" default, emptied by scripts/build_plotly.sh
)


def test_no_static_file_names_a_cdn():
    """The city's network is closed: nothing we serve may point the browser at a CDN, even in a
    default that today's charts never read (plotly's topojsonURL)."""
    found = [
        f"{path.relative_to(ROOT)}: {host}"
        for path in sorted((ROOT / "static").rglob("*"))
        if path.is_file() and path.suffix in {".js", ".css", ".html", ".svg", ".json"}
        for host in CDN_HOSTS
        if host in path.read_text(encoding="utf-8", errors="replace")
    ]
    assert found == []
