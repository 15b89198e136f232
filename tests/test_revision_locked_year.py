"""A revision never rewrites a locked year (issue 14): a published target change effective from
the locked FY2021 turned its public evaluation from 2,268.8 % A into 26.2 % C. A change that
would apply to a locked year is refused when saved and again at publishing, until the year is
reopened with a recorded reason."""

import pytest

from kpis import services as kpi_services
from kpis.models import YearReview
from revisions import services
from revisions.models import Revision
from tests.revision_helpers import add_actuals, open_revision, target_change

pytestmark = pytest.mark.django_db
API = "/api/v1/strategies/nemuro-2/indicators/1-ア-1-1?fiscal_year=2021"


def _public_2021(client):
    client.logout()
    e = next(e for e in client.get(API).json()["evaluations"] if e["fiscal_year"] == 2021)
    return e["grade"], e["progress_rate"], e["achievement_rate"]


def test_a_target_change_from_a_locked_year_is_refused_when_saved(strategy, dave, bob):
    add_actuals()
    kpi_services.lock_year(strategy=strategy, fiscal_year=2021, user=bob, reason="検証のため")
    revision = open_revision(strategy, dave)
    with pytest.raises(services.RevisionError, match="ロックされた2021年度の評価が変わります"):
        target_change(revision, dave, year=2021)
    assert not revision.changes.exists()
    target_change(revision, dave, year=2022)  # after the locked year: fine


def test_publishing_a_change_saved_before_the_lock_is_refused_and_the_year_is_unchanged(
    client, strategy, dave, bob
):
    add_actuals()
    revision = open_revision(strategy, dave)
    target_change(revision, dave, year=2021)  # saved while 2021 was open
    kpi_services.lock_year(strategy=strategy, fiscal_year=2021, user=bob, reason="検証のため")
    before = _public_2021(client)
    with pytest.raises(services.RevisionError) as e:
        services.publish_revision(revision=revision, user=dave)
    assert "ロックされた2021年度の評価が変わります" in str(e.value.messages)
    revision.refresh_from_db()
    assert revision.status == Revision.Status.DRAFT
    assert _public_2021(client) == before


def test_a_retirement_from_a_locked_year_is_refused(strategy, dave, bob):
    kpi_services.lock_year(strategy=strategy, fiscal_year=2022, user=bob, reason="検証のため")
    revision = open_revision(strategy, dave)
    with pytest.raises(services.RevisionError, match="ロックされた2022年度"):
        services.save_change(
            revision=revision,
            user=dave,
            kind="indicator",
            action="retire",
            object_key="1-ア-1-1",
            effective_from_year=2022,
            expected_version=0,
        )


def test_after_reopening_with_a_reason_the_change_may_be_published(strategy, dave, bob):
    add_actuals()
    revision = open_revision(strategy, dave)
    target_change(revision, dave, year=2021)
    kpi_services.lock_year(strategy=strategy, fiscal_year=2021, user=bob, reason="検証のため")
    kpi_services.reopen_year(strategy=strategy, fiscal_year=2021, user=bob, reason="目標の見直し")
    services.publish_revision(revision=revision, user=dave)
    assert not YearReview.objects.get(fiscal_year=2021).is_locked
