"""Who sees which actuals through the API: the rule (kpis/access.py) and the rule seen
through HTTP. Public: confirmed values of locked years; council: confirmed of any year; staff: all."""

import pytest
from django.contrib.auth.models import AnonymousUser, User

from front import api_selectors as sel
from kpis import access
from kpis.models import Actual
from tests.api_helpers import BASE, add_actual, by_code, lock, years

pytestmark = pytest.mark.django_db
URL = f"{BASE}/indicators"
DRAFT, SUBMITTED = Actual.Status.DRAFT, Actual.Status.SUBMITTED


@pytest.fixture
def actuals(strategy):
    """2021 is locked; 2022 and 2023 are open."""
    lock(strategy, 2021)
    return {
        "locked_confirmed": add_actual("1-ア-1-1", 2021, "24000"),
        "open_confirmed": add_actual("1-ア-1-1", 2022, "25000"),
        "open_draft": add_actual("1-ア-1-1", 2023, "26000", status=DRAFT),
        "locked_submitted": add_actual("1-ア-1-4", 2021, "260", status=SUBMITTED),
    }


def _visible(strategy, level):
    return set(access.visible_actuals_at(strategy, level, access.locked_fiscal_years(strategy)))


def test_it_shows_the_public_only_confirmed_values_of_locked_years(strategy, actuals):
    assert _visible(strategy, access.PUBLIC) == {actuals["locked_confirmed"]}


def test_it_shows_the_council_confirmed_values_of_every_year(strategy, actuals):
    assert _visible(strategy, access.COUNCIL) == {
        actuals["locked_confirmed"],
        actuals["open_confirmed"],
    }


def test_it_shows_staff_every_value(strategy, actuals):
    assert _visible(strategy, access.STAFF) == set(actuals.values())


@pytest.mark.parametrize(
    ("user", "level"),
    [
        ("alice", access.STAFF),
        ("mallory", access.STAFF),
        ("bob", access.STAFF),
        ("dave", access.STAFF),
        ("charlie", access.COUNCIL),
    ],
)
def test_it_maps_each_role_to_its_access_level(request, user, level):
    assert access.level_of(request.getfixturevalue(user)) == level


def test_it_treats_anonymous_and_roleless_users_as_the_public(db):
    assert access.level_of(AnonymousUser()) == access.PUBLIC
    assert access.level_of(User.objects.create_user("nobody")) == access.PUBLIC


def test_it_defaults_to_the_latest_locked_year_else_the_first_year(strategy):
    assert sel.default_fiscal_year(strategy, []) == 2021
    assert sel.default_fiscal_year(strategy, [2021, 2022]) == 2022
    assert sel.default_fiscal_year(strategy, [2019, 2030]) == 2021  # outside the period


def test_anonymous_sees_a_confirmed_value_of_a_locked_year(client, actuals):
    body = client.get(URL, {"fiscal_year": 2021}).json()
    assert body["access"] == "public"
    kpi = by_code(body)["1-ア-1-1"]
    assert years(kpi) == {2021: "24000"}
    assert kpi["actuals"][0]["status"] == "confirmed"
    assert kpi["evaluation"]["value"] == "24000"


def test_anonymous_sees_nothing_of_an_open_year_and_never_a_draft(client, actuals):
    body = client.get(URL, {"fiscal_year": 2022}).json()
    kpis = by_code(body)
    assert body["fiscal_year_locked"] is False
    assert 2022 not in years(kpis["1-ア-1-1"]) and 2023 not in years(kpis["1-ア-1-1"])
    assert kpis["1-ア-1-1"]["evaluation"]["value"] is None
    assert kpis["1-ア-1-1"]["evaluation"]["grade"] == "−"
    assert years(kpis["1-ア-1-4"]) == {}  # submitted, though its year is locked
    detail = client.get(f"{URL}/1-ア-1-1").json()
    assert [e["value"] for e in detail["evaluations"]] == ["24000", None, None, None]


def test_a_signed_in_user_without_a_role_sees_what_the_public_sees(client, actuals):
    client.force_login(User.objects.create_user("nobody"))
    body = client.get(URL).json()
    assert body["access"] == "public"
    assert years(by_code(body)["1-ア-1-1"]) == {2021: "24000"}


def test_council_sees_confirmed_values_of_open_years_but_no_drafts(client, charlie, actuals):
    client.force_login(charlie)
    body = client.get(URL, {"fiscal_year": 2022}).json()
    kpis = by_code(body)
    assert body["access"] == "council"
    assert years(kpis["1-ア-1-1"]) == {2021: "24000", 2022: "25000"}
    assert kpis["1-ア-1-1"]["evaluation"]["value"] == "25000"
    assert years(kpis["1-ア-1-4"]) == {}


@pytest.mark.parametrize("user", ["bob", "alice", "dave"])
def test_staff_see_drafts_and_submissions(client, request, user, actuals):
    client.force_login(request.getfixturevalue(user))
    body = client.get(URL, {"fiscal_year": 2023}).json()
    kpis = by_code(body)
    assert body["access"] == "staff"
    assert years(kpis["1-ア-1-1"]) == {2021: "24000", 2022: "25000", 2023: "26000"}
    assert kpis["1-ア-1-1"]["actuals"][2]["status"] == "draft"
    assert kpis["1-ア-1-1"]["evaluation"]["value"] == "26000"
    assert [(a["status"], a["value"]) for a in kpis["1-ア-1-4"]["actuals"]] == [
        ("submitted", "260")
    ]


def test_a_cumulative_total_never_includes_a_value_the_reader_may_not_see(
    client, charlie, strategy
):
    """新規農林業就業者数 is summed over the period: 2022 (open) must not leak into 2023 (locked)."""
    lock(strategy, 2021)
    lock(strategy, 2023)
    add_actual("1-ア-1-2", 2021, "4")
    add_actual("1-ア-1-2", 2022, "5")
    add_actual("1-ア-1-2", 2023, "3")
    public = client.get(f"{URL}/1-ア-1-2", {"fiscal_year": 2023}).json()
    assert years(public) == {2021: "4", 2023: "3"}
    assert public["evaluation"]["value"] == "7"
    assert public["evaluation"]["formula"].startswith(
        "累計実績値 = 2021年度 4 + 2023年度 3 = 7（未入力のため除外：2022年度）"
    )
    client.force_login(charlie)
    council = client.get(f"{URL}/1-ア-1-2", {"fiscal_year": 2023}).json()
    assert council["evaluation"]["value"] == "12"
