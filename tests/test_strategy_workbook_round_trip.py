"""Done means: Nemuro's strategy → workbook → import as a new strategy gives a strategy equal to
the original in every field of every item (the snapshots compared, all but the strategy's own
identity), and the copy's dashboards and API work with grades."""

from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from kpis import services as kpi_services
from kpis.entry.rules import EntryValues
from kpis.models import Actual, Indicator
from revisions import services
from revisions.kinds import KINDS
from revisions.snapshot import take_snapshot, without_ids
from revisions.workbook.export import export_strategy_workbook
from revisions.workbook.reader import read_strategy_workbook

pytestmark = pytest.mark.django_db

COPY = "nemuro-2-copy"


def test_the_reader_gives_back_the_exported_snapshot(strategy):
    snapshot = take_snapshot(strategy)
    result = read_strategy_workbook(export_strategy_workbook(snapshot))
    assert [str(e) for e in result.errors] == []
    got, expected = without_ids(result.snapshot), without_ids(snapshot)
    for name in expected:
        assert got[name] == expected[name], name


def test_names_that_excel_would_read_as_formulas_come_back_unchanged(strategy):
    """The export neutralises such texts with a leading ' (a project named 「-…」 is also the
    parent code of its 掲載 rows); the reader takes it back in every column."""
    snapshot = take_snapshot(strategy)
    project = snapshot["projects"][0]
    old, new = project["name"], "-" + project["name"]
    project["name"] = project["key"] = new
    for listing in snapshot["listings"]:
        if listing["project"] == old:
            listing["project"] = new
            listing["key"] = listing["key"].replace(old, new, 1)
    result = read_strategy_workbook(export_strategy_workbook(snapshot))
    assert [str(e) for e in result.errors] == []
    assert without_ids(result.snapshot) == without_ids(snapshot)


def _renamed(data: bytes) -> bytes:
    """The export with the strategy sheet's code and name changed, as an administrator would."""
    wb = load_workbook(BytesIO(data))
    ws = wb["総合戦略"]
    assert [c.value for c in ws[1]][:2] == ["コード", "名称"]
    ws["A2"], ws["B2"] = COPY, "第２期根室市創生総合戦略（複製）"
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _values(value):
    return EntryValues(Decimal(value), False, "", None, "", "", False)


def test_import_as_a_new_strategy_is_equal_in_every_field_and_its_dashboards_work(
    client, strategy, dave, bob
):
    original = take_snapshot(strategy)
    result = read_strategy_workbook(_renamed(export_strategy_workbook(original)))
    assert result.ok, [str(e) for e in result.errors]
    revision = services.import_new_strategy(
        snapshot=result.snapshot, user=dave, settings_from=strategy
    )
    services.publish_revision(revision=revision, user=dave)
    copy = take_snapshot(revision.strategy)

    for kind in KINDS:
        got, expected = without_ids(copy[kind.collection]), without_ids(original[kind.collection])
        assert len(got) == len(expected) > 0, kind.name
        assert got == expected, kind.name
    identity = {"code", "name"}
    assert {k: v for k, v in copy["strategy"].items() if k not in identity} == {
        k: v for k, v in original["strategy"].items() if k not in identity
    }
    assert copy["strategy"]["code"] == COPY
    # Written in bulk, with the audit trail all the same: who, and which revision.
    created = Indicator.history.filter(basic_goal__strategy=revision.strategy)
    assert created.count() == len(copy["indicators"])
    assert {(h.history_type, h.history_user, h.history_change_reason) for h in created} == {
        ("+", dave, "第1版 策定")
    }

    # A year of actuals in the copy, confirmed: graded on its pages and in the API.
    ind = Indicator.objects.get(basic_goal__strategy=revision.strategy, code="1-ア-1-1")
    kpi_services.save_actual(
        indicator=ind,
        fiscal_year=2021,
        user=bob,
        values=_values("27700"),
        expected_version=0,
        submit=True,
    )
    kpi_services.confirm_actuals(
        strategy=revision.strategy,
        fiscal_year=2021,
        actual_ids=Actual.objects.filter(indicator=ind).values_list("pk", flat=True),
        user=bob,
    )
    client.force_login(bob)
    base = f"/strategies/{COPY}/dashboard/"
    goal = ind.basic_goal
    for url in (base, f"{base}goals/{goal.number}/", f"{base}indicators/{ind.pk}/"):
        assert client.get(url).status_code == 200, url
    body = client.get(f"/api/v1/strategies/{COPY}/indicators/1-ア-1-1").json()
    assert body["evaluations"][0]["fiscal_year"] == 2021
    assert body["evaluations"][0]["grade"] == "A"  # 27,700t: the target reached
