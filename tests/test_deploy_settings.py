"""Production settings: `check --deploy` is clean and the security headers are sent."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "x7Qm2vR9pL4sT8wZ1nB6cF3hJ5kD0gY-aE_uI$oP!rN@tM#qV%bC",
    "ALLOWED_HOSTS": "kpi.example.lg.jp",
    "SECURE_SSL_REDIRECT": "1",
    "STATIC_MANIFEST": "1",
}


def _run(*args, env=None):
    full_env = {
        k: v for k, v in os.environ.items() if k not in ("SECURE_SSL_REDIRECT", "STATIC_MANIFEST")
    }
    full_env.update(PRODUCTION_ENV, **(env or {}))
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_has_no_warnings():
    r = _run("manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "no issues" in r.stdout


def test_it_refuses_to_start_without_a_secret_key_in_production():
    r = _run("manage.py", "check", env={"SECRET_KEY": ""})
    assert r.returncode != 0
    assert "SECRET_KEY" in r.stderr


SCRIPT = """
import django, json
django.setup()
from django.test import Client
c = Client(HTTP_HOST="kpi.example.lg.jp")
r = c.get("/login/", secure=True)
r2 = c.get("/login/")
cookies = {k: {"secure": bool(v["secure"]), "httponly": bool(v["httponly"])} for k, v in r.cookies.items()}
print(json.dumps({"headers": dict(r.headers), "redirect": [r2.status_code, r2.get("Location")], "cookies": cookies}))
"""


def test_production_sends_security_headers():
    r = _run(
        "-c",
        SCRIPT,
        env={"DJANGO_SETTINGS_MODULE": "nemuro_strategy.settings", "STATIC_MANIFEST": "0"},
    )
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout.strip().splitlines()[-1])
    for name in [
        "Content-Security-Policy",
        "Strict-Transport-Security",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
    ]:
        assert name in data["headers"], name
    csp = data["headers"]["Content-Security-Policy"]
    assert (
        "script-src 'self'" in csp
        and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    )
    assert "frame-ancestors 'none'" in csp
    assert data["headers"]["X-Frame-Options"] == "DENY"
    assert data["redirect"] == [301, "https://kpi.example.lg.jp/login/"]
    assert data["cookies"]["csrftoken"]["secure"]
