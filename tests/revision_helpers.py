"""Shared set-up for the revision tests (tests/test_revision_*.py): real rows, no mocks."""

import re
from decimal import Decimal

from kpis.models import Actual, Indicator
from revisions import services
from revisions.models import Revision

CODE = "1-ア-1-1"  # 沿岸漁業における生産量: 基準値 23,854t（算出値）→ 目標値 27,700t（2024年度）
BASE = "/strategies/nemuro-2/revisions"
# Actuals of the "done means" scenario: 2022 meets the old target but not the new one.
ACTUALS = {2021: "25000", 2022: "27800", 2023: "28000", 2024: "29000"}


def indicator(code=CODE, strategy_code="nemuro-2"):
    return Indicator.objects.get(code=code, basic_goal__strategy__code=strategy_code)


def add_actuals(values=None, code=CODE, status=Actual.Status.CONFIRMED):
    ind = indicator(code)
    for year, value in (values or ACTUALS).items():
        Actual.objects.create(indicator=ind, fiscal_year=year, value=Decimal(value), status=status)
    return ind


def open_revision(strategy, user, title="沿岸漁業の生産量目標の上方修正", **fields):
    return services.create_revision(
        strategy=strategy,
        user=user,
        title=title,
        reason=fields.pop("reason", "有識者会議の効果検証を踏まえて"),
        decided_by=fields.pop("decided_by", Revision.Body.COUNCIL),
        **fields,
    )


def target_change(
    revision,
    user,
    *,
    code=CODE,
    target="30000",
    baseline="23854",
    year=2023,
    target_year=2024,
    kind="implied",
    version=0,
):
    return services.save_change(
        revision=revision,
        user=user,
        kind="indicator",
        action="change",
        object_key=code,
        field="target",
        new_value={
            "target_value": target,
            "target_fiscal_year": target_year,
            "baseline_value": baseline,
            "baseline_kind": kind,
        },
        effective_from_year=year,
        expected_version=version,
    )


def raise_target(strategy, user, **kwargs):
    """第2版: 沿岸漁業における生産量 27,700t → 30,000t from FY2023, published."""
    revision = open_revision(strategy, user)
    target_change(revision, user, **kwargs)
    return services.publish_revision(revision=revision, user=user)


def publish_through_the_page(client, number, **kwargs):
    """What the administrator does: open the confirmation page, then press 「公開する」 (which sends
    the page's `confirm` fingerprint)."""
    html = client.get(f"{BASE}/{number}/publish/").content.decode()
    confirm = re.search(r'name="confirm" value="([0-9a-f]+)"', html).group(1)
    return client.post(f"{BASE}/{number}/publish/", {"confirm": confirm}, **kwargs)
