from decimal import Decimal

import pytest

from kpis.evaluation import trim


@pytest.mark.parametrize(
    ("stored", "decimals", "shown"),
    [
        ("27700.0000", 0, "27700"),
        ("2.0000", 2, "2.00"),
        ("1.6500", 2, "1.65"),
        ("1.6750", 2, "1.675"),
        ("25100.5000", 0, "25100.5"),
    ],
)
def test_it_keeps_the_printed_scale_and_drops_the_storage_scale(stored, decimals, shown):
    assert str(trim(Decimal(stored), decimals)) == shown


def test_it_passes_none_through():
    assert trim(None) is None
