"""The overview's body is cached per PostgreSQL snapshot (dashboard/cache.py): a repeat
request is served from the cache, and any committed change — by whatever means — is shown on the
next request. Transactional tests: the cache only works on committed data.

A commit anywhere on the server (autovacuum's ANALYZE, another database) changes the snapshot,
so the tests that need two requests under one snapshot pin it: `pinned` still runs the real
snapshot query, and returns one fixed key while no transaction of this connection has written."""

import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client

from dashboard import cache as dashboard_cache
from front.loading import load_strategy
from kpis.models import Actual, GradeBand
from tests.dashboard_helpers import BASE, add_actual, indicator, row

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the cache is keyed by a PostgreSQL snapshot"
)


def unmasked(html):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


@pytest.fixture
def committed(transactional_db):
    load_strategy()
    cache.clear()


@pytest.fixture
def pinned(monkeypatch):
    real = dashboard_cache.snapshot
    monkeypatch.setattr(dashboard_cache, "snapshot", lambda: real() and "pinned")


@on_postgresql
@pytest.mark.usefixtures("committed", "pinned")
def test_it_serves_a_repeat_request_from_the_cache(client, charlie, django_assert_num_queries):
    add_actual("1-ア-1-1", 2022, "27700")
    client.force_login(charlie)
    first = client.get(BASE + "?year=2022").content.decode()
    # 1 session, 2 user, 3 strategy, 4 the user's groups, 5 the snapshot: the body is cached
    with django_assert_num_queries(5):
        second = client.get(BASE + "?year=2022").content.decode()
    assert unmasked(second) == unmasked(first)  # the same page but for the masked CSRF token
    assert "27,700t" in row(second, indicator("1-ア-1-1").pk)
    # The default year is cached too.
    client.get(BASE)
    with django_assert_num_queries(5):
        assert client.get(BASE).context["fiscal_year"] == 2022


@on_postgresql
@pytest.mark.usefixtures("committed")
def test_it_shows_a_change_made_without_the_application_at_the_next_request(client, charlie):
    a = add_actual("1-ア-1-1", 2022, "27700")
    client.force_login(charlie)
    assert "27,700t" in client.get(BASE + "?year=2022").content.decode()
    # A bulk UPDATE writes no history and sends no signal; the snapshot still changes.
    Actual.objects.filter(pk=a.pk).update(value=Decimal("25100"))
    body = client.get(BASE + "?year=2022").content.decode()
    assert "25,100t" in row(body, indicator("1-ア-1-1").pk)


@on_postgresql
@pytest.mark.usefixtures("committed")
def test_it_regrades_after_the_grade_scale_changes(client, charlie, strategy):
    add_actual("1-ア-1-1", 2022, "27700")
    client.force_login(charlie)
    before = client.get(BASE + "?year=2022").content.decode()
    top = GradeBand.objects.filter(strategy=strategy).order_by("order").first()
    assert f'data-grade="{top.label}"' in row(before, indicator("1-ア-1-1").pk)
    GradeBand.objects.filter(pk=top.pk).update(label="S")
    after = client.get(BASE + "?year=2022").content.decode()
    assert 'data-grade="S"' in row(after, indicator("1-ア-1-1").pk)


@on_postgresql
@pytest.mark.usefixtures("committed", "pinned")
def test_staff_and_council_members_do_not_share_a_cached_body(bob, charlie):
    add_actual("1-ア-1-1", 2022, "26000", status=Actual.Status.DRAFT)
    secretariat, council = Client(), Client()
    secretariat.force_login(bob)
    council.force_login(charlie)
    pk = indicator("1-ア-1-1").pk
    assert "26,000t" in row(secretariat.get(BASE + "?year=2022").content.decode(), pk)  # 事務局
    assert "26,000t" not in row(council.get(BASE + "?year=2022").content.decode(), pk)  # 有識者


@on_postgresql
@pytest.mark.usefixtures("committed", "pinned")
def test_each_filter_and_sort_is_its_own_entry(client, charlie):
    client.force_login(charlie)
    everything = client.get(BASE + "?year=2022").context["shown"]
    client.get(BASE + "?year=2022&goal=1")
    assert (
        client.get(BASE + "?year=2022&goal=2").content
        != client.get(BASE + "?year=2022&goal=1").content
    )
    assert client.get(BASE + "?year=2022").content.decode().count('<tr id="row-') == everything


@on_postgresql
@pytest.mark.usefixtures("committed")
def test_a_commit_gives_a_new_snapshot(charlie):
    before = dashboard_cache.snapshot()
    add_actual("1-ア-1-1", 2022, "27700")  # autocommit: its own transaction
    assert dashboard_cache.snapshot() not in (None, before)


@on_postgresql
@pytest.mark.usefixtures("committed", "pinned")
def test_each_language_is_its_own_entry(client, charlie, settings):
    settings.LANGUAGES = [("ja", "日本語"), ("en", "English")]  # the product has only ja
    client.force_login(charlie)
    ja = client.get(BASE + "?year=2022&goal=9", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    en = client.get(BASE + "?year=2022&goal=9", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "正しく選択してください" in ja  # the filter form's error, in the request's language
    assert "Select a valid choice" in en


@on_postgresql
@pytest.mark.usefixtures("committed")
def test_nothing_is_cached_inside_a_transaction_that_has_written(charlie):
    assert dashboard_cache.snapshot() is not None
    with transaction.atomic():
        add_actual("1-ア-1-1", 2022, "27700")
        assert dashboard_cache.snapshot() is None  # its own rows are not in any snapshot


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite only")
@pytest.mark.django_db
def test_nothing_is_cached_on_sqlite():
    assert dashboard_cache.snapshot() is None
