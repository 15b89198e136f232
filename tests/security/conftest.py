"""Shared set-up for the security tests (tests/security/): the six roles, the objects every URL of
the permission matrix needs, and a request helper that turns a response into a short outcome.

The users are the ones of tests/conftest.py (alice, mallory, bob, charlie, dave); passwords are
hashed with MD5 here only, so that creating five users per test does not cost seconds."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import transaction

from council.models import Opinion
from kpis.models import Actual, Department, Indicator, Strategy, YearReview
from tests.conftest import make_user

ROLES = ["anonymous", "mallory", "alice", "bob", "charlie", "dave"]
FISHERIES_CODES = ["1-ア-1-1", "1-ア-1-2", "1-ア-1-3", "1-ア-1-4"]
DRAFT_VALUE = Decimal("98765.4321")  # a draft actual the public must never see
CONFIRMED_VALUE = Decimal("24680")  # a confirmed actual of the locked year (public)
OPEN_YEAR = 2021  # the year the matrix works in: open, with a submitted actual
LOCKED_YEAR = 2022  # locked for review, with a draft and a confirmed actual


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(strategy, fisheries, tourism, alice, mallory, bob, charlie, dave):
    """Everything the matrix URLs point at (see URL_KWARGS in test_permission_matrix.py)."""
    users = {"alice": alice, "mallory": mallory, "bob": bob, "charlie": charlie, "dave": dave}
    return make_world(strategy, fisheries, tourism, users)


@pytest.fixture(scope="module")
def module_world(module_db):
    """`world` made once for the tests of a module that only read it (tests/conftest.module_db)."""
    strategy = Strategy.objects.get(code="nemuro-2")
    fisheries = Department.objects.create(name="水産振興課")
    tourism = Department.objects.create(name="観光振興課")
    users = {
        name: make_user(name, {"alice": fisheries, "mallory": tourism}.get(name))
        for name in ("alice", "mallory", "bob", "charlie", "dave")
    }
    return make_world(strategy, fisheries, tourism, users)


def make_world(strategy, fisheries, tourism, users):
    alice, charlie = users["alice"], users["charlie"]
    Indicator.objects.filter(code__in=FISHERIES_CODES).update(department=fisheries)
    ind = Indicator.objects.get(basic_goal__strategy=strategy, code="1-ア-1-1")
    submitted = Actual.objects.create(
        indicator=ind,
        fiscal_year=OPEN_YEAR,
        value=Decimal("25000"),
        status=Actual.Status.SUBMITTED,
        updated_by=alice,
        submitted_by=alice,
    )
    Actual.objects.create(
        indicator=ind, fiscal_year=LOCKED_YEAR, value=CONFIRMED_VALUE, status="confirmed"
    )
    other = Indicator.objects.get(basic_goal__strategy=strategy, code="1-ア-1-2")
    Actual.objects.create(indicator=other, fiscal_year=LOCKED_YEAR, value=DRAFT_VALUE)
    YearReview.objects.create(strategy=strategy, fiscal_year=LOCKED_YEAR, is_locked=True)
    opinion = Opinion.objects.create(
        strategy=strategy, fiscal_year=OPEN_YEAR, indicator=ind, body="意見", author=charlie
    )
    return {
        "strategy": strategy,
        "fisheries": fisheries,
        "tourism": tourism,
        "indicator": ind,
        "actual": submitted,
        "opinion": opinion,
        "users": {"anonymous": None, **users},
    }


@pytest.fixture
def draft_revision(strategy, dave):
    """第2版 (draft) with one change: the target of 1-ア-1-1 (27,700t → 30,000t from FY2023)."""
    from tests.revision_helpers import open_revision, target_change

    revision = open_revision(strategy, dave, title="下書きの改訂")
    change = target_change(revision, dave)
    return revision, change


def outcome(response) -> str:
    """'200', '403', '404', '405', '302login', '302admin' or '302'."""
    code = response.status_code
    if code in (301, 302):
        location = response["Location"]
        if location.startswith("/login/"):
            return "302login"
        if location.startswith("/admin/login/"):
            return "302admin"
        return "302"
    return str(code)


def call(client, method, url, data=None, *, rollback=True, **extra):
    """One request in a savepoint: its writes are rolled back unless rollback=False; an exception
    (rolled back either way) is the outcome '500:<name>'."""
    try:
        with transaction.atomic():
            if method == "GET":
                response = client.get(url, data or {}, **extra)
            else:
                response = client.post(url, data or {}, **extra)
            transaction.set_rollback(rollback)
    except Exception as e:  # noqa: BLE001 - a crash is what the test reports
        return f"500:{type(e).__name__}", None
    return outcome(response), response


def login(client, user: User | None):
    client.logout()
    if user is not None:
        client.force_login(user)
