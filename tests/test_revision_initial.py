"""The document's strategy loads as its first published revision, 第1版「策定」, and reloading the
fixtures never undoes a later published revision."""

from decimal import Decimal

import pytest

from front.loading import load_strategy
from kpis.models import Indicator, IndicatorTarget
from revisions.models import Revision
from revisions.snapshot import take_snapshot
from tests.revision_helpers import CODE, indicator, raise_target

pytestmark = pytest.mark.django_db


def test_the_document_is_the_first_published_revision(strategy):
    (first,) = Revision.objects.filter(strategy=strategy)
    assert (first.number, first.title, first.status) == (1, "策定", Revision.Status.PUBLISHED)
    assert first.decided_by == Revision.Body.HEADQUARTERS
    assert first.decided_on == strategy.adopted_on
    assert first.snapshot == take_snapshot(strategy)
    assert len(first.snapshot["indicators"]) == 47 and len(first.snapshot["listings"]) == 117


def test_every_initial_target_row_belongs_to_it(strategy):
    first = Revision.objects.get(strategy=strategy, number=1)
    rows = IndicatorTarget.objects.filter(indicator__basic_goal__strategy=strategy)
    assert rows.count() == 47
    assert set(rows.values_list("revision", "effective_from_year")) == {(first.pk, 2021)}


def test_the_snapshot_is_keyed_by_stable_codes(strategy):
    snapshot = Revision.objects.get(strategy=strategy, number=1).snapshot
    kpi = next(i for i in snapshot["indicators"] if i["key"] == CODE)
    assert kpi["measure"] == "1-ア-1" and kpi["goal"] == "1"
    assert kpi["targets"] == [
        {
            "from": 2021,
            "baseline_value": "23854",
            "baseline_kind": "implied",
            "target_value": "27700",
            "target_fiscal_year": 2024,
            "revision": 1,
        }
    ]
    listing = next(
        x for x in snapshot["listings"] if x["key"] == "根室本線花咲線維持確保対策事業@3-ア-1"
    )
    assert listing["is_relisted"] is True


def test_a_second_load_changes_nothing(strategy):
    report = load_strategy()
    assert report.changed == 0 and report.notes == []
    assert Revision.objects.filter(strategy=strategy).count() == 1


def test_loading_never_undoes_a_later_revision(strategy, dave):
    raise_target(strategy, dave)
    history = Indicator.history.count()
    report = load_strategy()
    assert report.changed == 0
    assert any("第2版以降の改訂が公開されている" in n for n in report.notes)
    assert indicator().target_value == Decimal("30000")
    assert Indicator.history.count() == history
    assert IndicatorTarget.objects.filter(indicator=indicator()).count() == 2


def test_a_draft_does_not_stop_the_fixtures_from_loading(strategy, dave):
    from tests.revision_helpers import open_revision, target_change

    target_change(open_revision(strategy, dave), dave)
    Indicator.objects.filter(code=CODE).update(target_value=1)
    report = load_strategy()
    assert report.changed == 1 and report.notes == []
    assert indicator().target_value == Decimal("27700")
