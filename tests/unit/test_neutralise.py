"""kpis.excel.neutralise: exported text never runs as a spreadsheet formula."""

from datetime import datetime
from decimal import Decimal

import pytest

from kpis.excel.neutralise import csv_text, neutralise


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+81-153-23-6111", "'+81-153-23-6111"),
        ("-x", "'-x"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("＝1+1", "'＝1+1"),
        ('=HYPERLINK("http://example.com","x")', '\'=HYPERLINK("http://example.com","x")'),
    ],
)
def test_it_prefixes_text_that_starts_like_a_formula(text, expected):
    assert neutralise(text) == expected


@pytest.mark.parametrize(
    "text", ["", "前年並み", "27,700", "▲12", "サンマ=回復", " =1", "'=1", "a-b", "100%"]
)
def test_it_leaves_other_text_alone(text):
    assert neutralise(text) == text


@pytest.mark.parametrize(
    "value", [None, 0, -12, Decimal("-1.5"), -0.5, datetime(2022, 5, 1, 10, 0), True]
)
def test_it_leaves_numbers_and_other_values_alone(value):
    assert neutralise(value) is value


def test_it_neutralises_only_once_per_call_so_an_already_quoted_text_is_safe():
    assert neutralise(neutralise("=1")) == "'=1"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        (Decimal("27700.0000"), "27700"),
        (Decimal("-12.0000"), "-12"),
        (Decimal("1.6000"), "1.6"),
        (Decimal("0E-4"), "0"),
        (Decimal("12345678901234.5"), "12345678901234.5"),
        (2022, "2022"),
        ("-x", "'-x"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("北海道水産現勢", "北海道水産現勢"),
    ],
)
def test_it_writes_csv_fields_with_plain_numbers_and_neutralised_text(value, expected):
    assert csv_text(value) == expected
