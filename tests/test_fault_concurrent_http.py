"""Two clerks save the same actual at the same moment through real HTTP requests (live server,
PostgreSQL): both opened the entry page at the same version; one save wins, the other clerk gets
the page back with the StaleEdit message naming the winner's value, and nothing is lost or mixed.
tests/test_concurrent_saves.py covers the same race at the service level."""

import http.client
import re
import threading
from decimal import Decimal
from urllib.parse import urlencode, urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from front.loading import load_strategy
from kpis import services
from kpis.entry.rules import EntryValues
from kpis.models import Actual, Indicator

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs a server with row locks"
)

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _session(user):
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def _request(base, method, path, cookies, body=None):
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    text = response.read().decode()
    for header, value in response.getheaders():
        if header.lower() == "set-cookie" and value.startswith("csrftoken="):
            cookies["csrftoken"] = value.split(";", 1)[0].split("=", 1)[1]
    conn.close()
    return response.status, text


@pytest.mark.django_db(transaction=True)
def test_it_keeps_one_of_two_simultaneous_http_saves_and_tells_the_other(
    live_server, alice, bob, fisheries
):
    load_strategy()
    ind = Indicator.objects.get(code="1-ア-1-1")
    ind.department = fisheries
    ind.save()
    services.save_actual(
        indicator=ind,
        fiscal_year=2021,
        user=alice,
        values=EntryValues(Decimal("24000"), False, "", None, "", "", False),
        expected_version=0,
    )
    path = reverse("entry", args=["nemuro-2", 2021, fisheries.pk])
    prefix = f"i{ind.pk}"
    barrier = threading.Barrier(2)
    outcomes = {}

    sessions = {user.pk: _session(user) for user in (alice, bob)}  # in this thread's connection

    def clerk(user, value):
        cookies = {"sessionid": sessions[user.pk]}
        status, page = _request(live_server.url, "GET", path, cookies)
        assert status == 200
        version = re.search(rf'name="{prefix}-version" value="(\d+)"', page).group(1)
        form = {
            "csrfmiddlewaretoken": TOKEN.search(page).group(1),
            "action": "save",
            f"{prefix}-value": value,
            f"{prefix}-version": version,
        }
        barrier.wait(timeout=30)  # both opened the page at the same version; now both save
        outcomes[value] = _request(live_server.url, "POST", path, cookies, urlencode(form))

    threads = [
        threading.Thread(target=clerk, args=(u, v)) for u, v in [(alice, "24100"), (bob, "24200")]
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    statuses = sorted(status for status, _ in outcomes.values())
    assert statuses == [200, 302]  # one redirect after saving, one page with the message
    winner = next(v for v, (status, _) in outcomes.items() if status == 302)
    loser_page = next(text for status, text in outcomes.values() if status == 200)
    assert "画面を開いた後に" in loser_page
    assert f"現在の値：{Decimal(winner):,f}" in loser_page
    actual = Actual.objects.get(indicator=ind, fiscal_year=2021)
    assert actual.value == Decimal(winner)
    assert actual.version == 2
    assert [h.value for h in actual.history.order_by("history_id")] == [24000, Decimal(winner)]
