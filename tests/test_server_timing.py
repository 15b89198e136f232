"""nemuro_strategy/middleware.py: the Server-Timing header, only with SERVER_TIMING=1."""

import re

import pytest
from django.test import Client
from django.urls import reverse

TIMING = re.compile(r'^db;dur=[0-9.]+;desc="(\d+) queries", cpu;dur=[0-9.]+, app;dur=([0-9.]+)$')


def test_it_adds_no_header_by_default(client):
    assert "Server-Timing" not in client.get("/healthz")


def test_it_times_the_request_and_counts_its_queries(monkeypatch, strategy, charlie):
    monkeypatch.setenv("SERVER_TIMING", "1")
    client = Client()  # the middleware is set up with the client's first request
    assert TIMING.match(client.get("/healthz")["Server-Timing"]).group(1) == "0"
    client.force_login(charlie)
    response = client.get(reverse("dashboard_overview", args=[strategy.code]))
    queries, app_ms = TIMING.match(response["Server-Timing"]).groups()
    assert int(queries) > 5
    assert float(app_ms) > 0


@pytest.mark.parametrize("value", ["0", "", "no"])
def test_it_stays_off_unless_switched_on(monkeypatch, db, value):
    monkeypatch.setenv("SERVER_TIMING", value)
    assert "Server-Timing" not in Client().get("/healthz")
