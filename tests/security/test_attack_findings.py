"""Regression tests of the attack on the running app (issue 14): each reproduces a finding that
answered 500 or leaked, and pins the Japanese answer that changes nothing."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from council.models import Opinion
from kpis.models import Actual, WorkflowEvent, YearReview
from population.importers import HEADERS
from population.models import PopulationFigure
from tests.security.conftest import LOCKED_YEAR, OPEN_YEAR

pytestmark = pytest.mark.django_db
CODE = "nemuro-2"
NUL_TEXT = "使用できない文字（NUL）"


# --- NUL characters (PostgreSQL refuses them in a query: a 500, sometimes after a write) -------


def test_it_answers_a_nul_in_an_api_path_with_a_japanese_400(client, world):
    r = client.get(f"/api/v1/strategies/{CODE}/indicators/%00")
    assert r.status_code == 400
    assert NUL_TEXT in r.json()["detail"]


def test_the_api_schema_documents_the_400_of_a_nul_in_a_query_parameter(client, world):
    """schemathesis (tests/test_api_schema.py) now and then sends a NUL in a query parameter's
    name: the guard's 400 must be a documented answer of every operation, or that test fails at
    random."""
    r = client.get(f"/api/v1/strategies/{CODE}/indicators?%00=1")
    assert r.status_code == 400 and NUL_TEXT in r.json()["detail"]
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    operations = [op for path in paths.values() for op in path.values()]
    assert len(operations) >= 5
    assert all("400" in op["responses"] for op in operations), [
        op["operationId"] for op in operations if "400" not in op["responses"]
    ]


def test_it_refuses_a_nul_in_a_return_reason_and_changes_nothing(client, world):
    actual = world["actual"]
    client.force_login(world["users"]["bob"])
    url = f"/strategies/{CODE}/status/{OPEN_YEAR}/return/{actual.pk}/"
    r = client.post(url, {"reason": "再確認\x00"})
    assert r.status_code == 400 and NUL_TEXT in r.content.decode()
    actual.refresh_from_db()
    assert actual.status == Actual.Status.SUBMITTED
    assert not WorkflowEvent.objects.filter(action="return").exists()


def test_it_refuses_a_nul_in_a_reopen_reason_and_the_year_stays_locked(client, world):
    client.force_login(world["users"]["bob"])
    r = client.post(f"/strategies/{CODE}/status/{LOCKED_YEAR}/reopen/", {"reason": "\x00"})
    assert r.status_code == 400 and NUL_TEXT in r.content.decode()
    assert YearReview.objects.get(fiscal_year=LOCKED_YEAR).is_locked


def test_it_refuses_a_nul_in_a_revision_key(client, world, draft_revision):
    client.force_login(world["users"]["dave"])
    number = draft_revision[0].number
    r = client.get(f"/strategies/{CODE}/revisions/{number}/changes/indicator-add/?key=%00")
    assert r.status_code == 400 and NUL_TEXT in r.content.decode()


# --- other 500s ----------------------------------------------------------------------------


def test_it_refuses_a_population_csv_field_longer_than_the_csv_limit(client, world):
    client.force_login(world["users"]["bob"])
    text = ",".join(HEADERS) + "\r\n" + "2020," + "x" * 140_000 + ",1,1,1,1,1,1\r\n"
    upload = SimpleUploadedFile("population.csv", text.encode())
    before = PopulationFigure.objects.count()
    r = client.post(f"/strategies/{CODE}/population/upload/", {"file": upload})
    assert r.status_code == 200
    assert "CSVファイルを読み取れません" in r.content.decode()
    assert PopulationFigure.objects.count() == before


@pytest.mark.parametrize("kind", ["create", "respond"])
def test_next_review_goes_to_the_review_pack_and_the_opinion_is_saved_once(client, world, kind):
    ind = world["indicator"]
    if kind == "create":
        client.force_login(world["users"]["charlie"])
        url = f"/strategies/{CODE}/council/opinions/indicator/{ind.pk}/new/?next=review"
        data = {"fiscal_year": OPEN_YEAR, "body": "新しい意見", "next": "review"}
    else:
        client.force_login(world["users"]["bob"])
        url = f"/strategies/{CODE}/council/opinions/{world['opinion'].pk}/respond/?next=review"
        data = {"body": "対応方針", "next": "review"}
    before = Opinion.objects.count()
    r = client.post(url, data)
    assert r.status_code == 302
    assert r["Location"].startswith(f"/strategies/{CODE}/council/review/")
    assert Opinion.objects.count() == before + (kind == "create")


def test_sqlite_transactions_take_the_write_lock_when_they_begin(settings):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


# --- info ----------------------------------------------------------------------------------


def test_api_answers_are_private(client, world):
    for role in ("anonymous", "charlie"):
        if role != "anonymous":
            client.force_login(world["users"][role])
        r = client.get(f"/api/v1/strategies/{CODE}/indicators")
        assert r.status_code == 200
        assert "private" in r["Cache-Control"], role


def test_an_idle_session_is_logged_out(client, world, settings):
    settings.SESSION_IDLE_TIMEOUT = 600
    client.force_login(world["users"]["bob"])
    assert client.get(f"/strategies/{CODE}/").status_code == 200
    session = client.session
    session["last_activity"] -= 601
    session.save()
    r = client.get(f"/strategies/{CODE}/")
    assert r.status_code == 302 and r["Location"].startswith("/login/")
    assert client.get(f"/strategies/{CODE}/").status_code == 302  # the session is gone


def test_an_active_session_stays_signed_in(client, world, settings):
    settings.SESSION_IDLE_TIMEOUT = 600
    client.force_login(world["users"]["bob"])
    session = client.session
    session["last_activity"] -= 599
    session.save()
    assert client.get(f"/strategies/{CODE}/").status_code == 200
    assert client.session["last_activity"] > session["last_activity"]  # refreshed


# --- writes that bypassed the rules ----------------------------------------------------------


def _values(value):
    from kpis.entry.rules import EntryValues

    return EntryValues(Decimal(value), False, "", None, "", "", False)


def test_the_secretariats_draft_save_of_a_confirmed_actual_is_not_confirmed(world):
    from kpis import services

    actual = world["actual"]  # submitted by alice
    bob = world["users"]["bob"]
    services.confirm_actuals(
        strategy=world["strategy"], fiscal_year=OPEN_YEAR, actual_ids=[actual.pk], user=bob
    )
    actual.refresh_from_db()
    saved = services.save_actual(
        indicator=actual.indicator,
        fiscal_year=OPEN_YEAR,
        user=bob,
        values=_values("1"),
        expected_version=actual.version,
    )
    assert (saved.status, saved.confirmed_by, saved.value) == ("draft", None, Decimal("1"))
    council = Actual.objects.visible_to(world["users"]["charlie"])
    assert not council.filter(pk=actual.pk).exists()


def test_restoring_a_never_confirmed_value_does_not_come_back_confirmed(world):
    from kpis import services

    actual, bob, dave = world["actual"], world["users"]["bob"], world["users"]["dave"]
    never_confirmed = actual.history.earliest("history_date")  # the submitted 25000
    services.confirm_actuals(
        strategy=world["strategy"], fiscal_year=OPEN_YEAR, actual_ids=[actual.pk], user=bob
    )
    actual.refresh_from_db()
    restored = services.restore_actual(
        actual=actual, history_id=never_confirmed.history_id, user=dave
    )
    assert restored.status == "draft" and restored.confirmed_by is None
    assert not Actual.objects.visible_to(world["users"]["charlie"]).filter(pk=actual.pk).exists()


def test_the_council_history_leaves_out_a_confirmed_value_sent_back_later(client, world):
    from kpis import services

    actual, bob = world["actual"], world["users"]["bob"]  # 25,000, submitted
    services.confirm_actuals(
        strategy=world["strategy"], fiscal_year=OPEN_YEAR, actual_ids=[actual.pk], user=bob
    )
    actual.refresh_from_db()
    services.return_actual(actual=actual, user=bob, reason="出典の確認")
    client.force_login(world["users"]["charlie"])
    url = f"/strategies/{CODE}/dashboard/indicators/{actual.indicator_id}/?year={OPEN_YEAR}"
    body = client.get(url).content.decode()
    assert "25,000" not in body and "25000" not in body
