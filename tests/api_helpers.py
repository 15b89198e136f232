"""Shared set-up for the API tests (tests/test_api_*.py): real rows, no mocks."""

from decimal import Decimal

from kpis.models import Actual, Indicator, YearReview

BASE = "/api/v1/strategies/nemuro-2"


def indicator(code):
    return Indicator.objects.get(code=code)


def add_actual(code, fiscal_year, value, status=Actual.Status.CONFIRMED, **fields):
    return Actual.objects.create(
        indicator=indicator(code),
        fiscal_year=fiscal_year,
        value=None if value is None else Decimal(value),
        status=status,
        **fields,
    )


def lock(strategy, fiscal_year):
    YearReview.objects.update_or_create(
        strategy=strategy, fiscal_year=fiscal_year, defaults={"is_locked": True}
    )


def by_code(body):
    """The indicators of an /indicators response, keyed by code."""
    return {i["code"]: i for i in body["indicators"]}


def years(indicator_json):
    """{fiscal_year: value} of an indicator's actuals in a response."""
    return {a["fiscal_year"]: a["value"] for a in indicator_json["actuals"]}
