"""A strategy in preparation, every URL with a strategy code and every role (the permission
matrix of test_permission_matrix.py, for the next strategy started and not yet published).

Its own module because the next strategy is made once for all of its tests (module_world,
next_world: tests/conftest.module_db), which every test of a module then sees."""

import re
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse

from council.models import Opinion
from kpis.models import Actual, Indicator
from tests.security.conftest import FISHERIES_CODES, ROLES, call, login
from tests.security.test_permission_matrix import (
    CODE,
    ROWS,
    _expected,
    _kwargs,
    _text_of,
    url_patterns,
)

pytestmark = pytest.mark.django_db


# --- a strategy in preparation -------------------------------------------------------------------
# The next strategy, started by an administrator and not yet published (its 第1版 is a draft),
# exists for administrators only: every URL with a strategy code in it — pages, exports, writes
# and the API — answers 404 to everyone else (anonymous pages: the login page first), whatever
# the method; the administrator gets what MATRIX gives him for the published strategy. The rows
# are derived from the URL configuration, so a new URL cannot be left out.

PREPARATION_CODE = "nemuro-3"
# The administrator's answers that differ for a strategy in preparation (reason in the comment).
PREPARATION_ADMIN = {
    "revision_detail": ("200", "200"),  # number 1 is the draft 第1版: he may see it
    # the POST carries a body here (MATRIX posts empty data): his opinion/response is saved
    "opinion_create": ("200", "302"),
    # permitted, but the posted row (value 1, version 1 of no actual) is refused by the entry
    # rules: the form with its errors
    "entry": ("200", "200"),
    "opinion_respond": ("200", "302"),
}


@pytest.fixture(scope="module")
def next_world(module_world):
    """nemuro-3 in preparation, with the objects the URLs point at (like `world`). Made once per
    module (and worker): copying the strategy took half a second, for each of 50 URLs; the tests
    only read it (what a POST writes is rolled back, tests/conftest.module_db)."""
    from revisions import services

    world = module_world

    dave, alice, charlie = (world["users"][u] for u in ("dave", "alice", "charlie"))
    revision = services.start_next_strategy(
        source=world["strategy"],
        user=dave,
        code=PREPARATION_CODE,
        name="第３期根室市創生総合戦略",
        first_fiscal_year=2025,
        last_fiscal_year=2029,
    )
    strategy = revision.strategy
    Indicator.objects.filter(basic_goal__strategy=strategy, code__in=FISHERIES_CODES).update(
        department=world["fisheries"]
    )
    ind = Indicator.objects.get(basic_goal__strategy=strategy, code="1-ア-1-1")
    actual = Actual.objects.create(
        indicator=ind,
        fiscal_year=2025,
        value=Decimal("25000"),
        status="submitted",
        updated_by=alice,
        submitted_by=alice,
    )
    opinion = Opinion.objects.create(
        strategy=strategy, fiscal_year=2025, indicator=ind, body="意見", author=charlie
    )
    change = revision.changes.first()
    return {
        **world,
        "code": PREPARATION_CODE,
        "strategy": strategy,
        "indicator": ind,
        "actual": actual,
        "opinion": opinion,
        "draft": (revision, change),
    }


def _has_code(route) -> bool:
    return re.search(r"<(?:\w+:)?code>", route) is not None


def _strategy_urls():
    return sorted(name for name in ROWS if _has_code(url_patterns()[name.partition("#")[0]][0]))


def test_every_url_with_a_strategy_code_is_in_the_preparation_check():
    names = {name for name, (route, _) in url_patterns().items() if _has_code(route)}
    assert len(names) >= 40
    assert names <= {n.partition("#")[0] for n in _strategy_urls()}


@pytest.mark.parametrize("name", _strategy_urls())
def test_a_strategy_in_preparation_is_404_for_everyone_but_the_administrator(
    client, next_world, name
):
    from council.models import Opinion as OpinionModel
    from kpis.models import Actual as ActualModel

    w = next_world
    url = _kwargs(name, w, w["draft"], fiscal_year=2025)
    api = name.startswith("api-v1:")
    published_get, published_post = _expected(ROWS[name])
    want_get, want_post = [], []
    for role, pg, pp in zip(ROLES, published_get, published_post, strict=True):
        if role == "dave":
            g, p = PREPARATION_ADMIN.get(name, (pg, pp))
        elif api:
            g, p = "404", pp  # the API answers GET only: POST stays 405
        else:
            g = p = "302login" if role == "anonymous" else "404"
        want_get.append(g)
        want_post.append(p)
    got_get, got_post = [], []
    counts = (ActualModel.objects.count(), OpinionModel.objects.count())
    for role in ROLES:
        login(client, w["users"][role])
        status, response = call(client, "GET", url)
        got_get.append(status)
        if role != "dave" and response is not None:
            assert "第３期" not in _text_of(response), (name, role)
        with transaction.atomic():
            post = {
                f"i{w['indicator'].pk}-version": "1",
                f"i{w['indicator'].pk}-value": "1",
                "body": "意見",
                "fiscal_year": "2025",
            }
            got_post.append(call(client, "POST", url, post, rollback=False)[0])
            if role != "dave":
                assert (ActualModel.objects.count(), OpinionModel.objects.count()) == counts
                assert not ActualModel.objects.filter(value=1).exists(), (name, role)
            transaction.set_rollback(True)
    table = "\n".join(
        f"  {r:9} GET {g:9} (want {wg:9}) POST {p:9} (want {wp})"
        for r, g, wg, p, wp in zip(ROLES, got_get, want_get, got_post, want_post, strict=True)
    )
    assert (got_get, got_post) == (want_get, want_post), f"{name} {url}\n{table}"


def test_the_api_lists_a_strategy_in_preparation_to_the_administrator_only(client, next_world):
    url = reverse("api-v1:list_strategies")
    for role in ROLES:
        login(client, next_world["users"][role])
        codes = [s["code"] for s in client.get(url).json()]
        assert (PREPARATION_CODE in codes) == (role == "dave"), (role, codes)
        assert CODE in codes
