"""Done means: a city without the app's fixtures fills the BLANK template by hand with a small
strategy, imports it through the pages (upload → preview → confirm), publishes its 第1版,
enters a year of actuals and reads grades from the API.

テスト用の架空データ: 架空町 and everything in its strategy below are invented for this test."""

from decimal import Decimal

import pytest

from kpis import services as kpi_services
from kpis.entry.rules import EntryValues
from kpis.models import Actual, Department, Indicator, Strategy
from revisions import services
from revisions.models import Revision
from tests.workbook_helpers import CODE, filled

pytestmark = pytest.mark.django_db

BASE = "/strategies/nemuro-2/revisions/workbook"


def _values(value):
    return EntryValues(Decimal(value), False, "", None, "", "", False)


def test_it_imports_a_hand_filled_blank_template_and_grades_its_actuals(client, dave, bob):
    client.force_login(dave)
    template = client.get(f"{BASE}/template.xlsx").content
    preview = client.post(f"{BASE}/import/", {"file": filled(template)})  # not as the next strategy
    assert preview.status_code == 200
    assert preview.context["problems"] == [], [str(p) for p in preview.context["problems"]]
    counts = dict(preview.context["plan"].counts)
    assert (counts["基本目標"], counts["KPI"], counts["事業"], counts["数値目標"]) == (2, 3, 2, 0)
    assert preview.context["plan"].new_departments == ["架空水産課", "架空福祉課"]
    assert not Strategy.objects.filter(code=CODE).exists()  # nothing saved by the preview
    done = client.post(f"{BASE}/import/", {"token": preview.context["token"]})
    assert done.status_code == 302
    strategy = Strategy.objects.get(code=CODE)
    assert done["Location"] == f"/strategies/{CODE}/revisions/1/"
    revision = Revision.objects.get(strategy=strategy, number=1)
    assert revision.is_draft
    services.publish_revision(revision=revision, user=dave)

    t1, t2, t3 = (
        Indicator.objects.get(basic_goal__strategy=strategy, code=c) for c in ("T-1", "T-2", "T-3")
    )
    assert (t1.baseline_value, t1.target_value, t1.department.name) == (
        Decimal(1000),
        Decimal(1200),
        "架空水産課",
    )
    assert (t2.direction, t2.aggregation) == ("decrease", "annual")
    assert (t3.direction, t3.aggregation, t3.baseline_kind) == ("reach", "cumulative", "none")
    assert Department.objects.filter(name="架空福祉課").exists()

    for ind, value in ((t1, "1250"), (t2, "60"), (t3, "100")):  # FY2025
        kpi_services.save_actual(
            indicator=ind,
            fiscal_year=2025,
            user=bob,
            values=_values(value),
            expected_version=0,
            submit=True,
        )
    kpi_services.confirm_actuals(
        strategy=strategy,
        fiscal_year=2025,
        actual_ids=Actual.objects.filter(indicator__basic_goal__strategy=strategy).values_list(
            "pk", flat=True
        ),
        user=bob,
    )
    client.force_login(bob)
    body = client.get(f"/api/v1/strategies/{CODE}/indicators?fiscal_year=2025").json()
    grades = {i["code"]: i["evaluation"]["grade"] for i in body["indicators"]}
    assert grades == {"T-1": "A", "T-2": "D", "T-3": "A"}, grades
