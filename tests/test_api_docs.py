"""/api/v1/openapi.json and /api/v1/docs: the schema, and a docs page that loads nothing from a CDN."""

import re

import pytest

pytestmark = pytest.mark.django_db


def test_it_serves_the_openapi_schema(client):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    schema = r.json()
    assert schema["info"]["title"] == "根室市創生総合戦略 KPI API"
    assert schema["info"]["version"] == "1"
    assert sorted(schema["paths"]) == [
        "/api/v1/strategies",
        "/api/v1/strategies/{code}/indicators",
        "/api/v1/strategies/{code}/indicators/{indicator_code}",
        "/api/v1/strategies/{code}/projects",
        "/api/v1/strategies/{code}/tree",
    ]
    target = schema["components"]["schemas"]["IndicatorOut"]["properties"]["target_value"]
    assert target["type"] == "string" and "10進数の文字列" in target["description"]


def test_the_docs_page_links_the_schema_and_loads_nothing_from_elsewhere(client):
    r = client.get("/api/v1/docs")
    assert r.status_code == 200
    body = r.content.decode()
    assert 'href="/api/v1/openapi.json"' in body
    assert "/api/v1/strategies/{code}/indicators" in body
    sources = re.findall(r'(?:src|href)="([^"]*)"', body)
    assert sources and all(s.startswith(("/", "#")) for s in sources), sources
    scripts = re.findall(r"<script([^>]*)>", body)  # the site's own deferred files only
    assert all(re.search(r'src="/static/', attrs) for attrs in scripts), scripts
