"""The indicator page after a revision raised the target from FY2023: both judgements shown."""

import pytest

from revisions import services
from tests.revision_helpers import add_actuals, open_revision, target_change

pytestmark = pytest.mark.django_db


@pytest.fixture
def revised(strategy, dave):
    ind = add_actuals()
    revision = open_revision(strategy, dave)
    target_change(revision, dave)
    services.publish_revision(revision=revision, user=dave)
    return ind


def url(ind, year):
    return f"/strategies/nemuro-2/dashboard/indicators/{ind.pk}/?year={year}"


def test_fy2022_is_judged_then_against_27700_and_shown_under_30000(
    client, charlie, revised, final_basis
):
    client.force_login(charlie)
    body = client.get(url(revised, 2022)).content.decode()
    assert "当時の目標での評価" in body and "現在の目標での評価" in body
    then = body.split('data-judged="then">')[1].split("</dd>")[0]
    now = body.split('data-judged="current">')[1].split("</dd>")[0]
    assert then.startswith("A") and "27,700t" in then
    assert now.startswith("C") and "30,000t" in now


def test_fy2023_has_one_judgement(client, charlie, revised):
    client.force_login(charlie)
    body = client.get(url(revised, 2023)).content.decode()
    assert 'data-judged="then"' not in body
    assert "当時の目標でも現在の目標でも同じです" in body
