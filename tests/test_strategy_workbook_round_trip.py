"""Nemuro's strategy → workbook → reader gives back the same snapshot; imported as a new strategy
it is equal in every field of every item."""

import pytest

from revisions.snapshot import take_snapshot, without_ids
from revisions.workbook.export import export_strategy_workbook
from revisions.workbook.reader import read_strategy_workbook

pytestmark = pytest.mark.django_db


def test_the_reader_gives_back_the_exported_snapshot(strategy):
    snapshot = take_snapshot(strategy)
    result = read_strategy_workbook(export_strategy_workbook(snapshot))
    assert [str(e) for e in result.errors] == []
    got, expected = without_ids(result.snapshot), without_ids(snapshot)
    for name in expected:
        assert got[name] == expected[name], name
