"""The entry form's save, the year lock and a revision's publish write several rows; a failure
after the first of them must leave nothing (issue 14, "the guarantees are proven"). A real trigger
in the database (SQLite or PostgreSQL) fails the service's LAST write, after its earlier rows were
written; the tests commit for real (transaction=True), so whatever the service's own transaction
does not undo stays and is seen. Removing the service's transaction.atomic makes each test fail
(docs/security.md, "Mutations checked")."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, connection

from front.loading import load_strategy
from kpis import services
from kpis.entry.rules import EntryValues
from kpis.models import Actual, Indicator, IndicatorTarget, Strategy, WorkflowEvent, YearReview
from revisions import services as revision_services
from revisions.models import Revision
from tests.revision_helpers import indicator, open_revision, target_change

pytestmark = pytest.mark.django_db(transaction=True)

TRIGGER = "fail_the_last_write"


@pytest.fixture
def fail_the_write():
    """fail_the_write("INSERT", table) or fail_the_write("UPDATE", table, row_id): the trigger
    outlives a committed test (a flush empties tables only), so it is dropped afterwards."""
    tables = []

    def create(action, table, row_id=None):
        tables.append(table)
        when = f"OLD.id = {int(row_id)}" if row_id is not None else "1 = 1"
        with connection.cursor() as c:
            if connection.vendor == "postgresql":
                c.execute(
                    f"CREATE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS "
                    "$$ BEGIN RAISE EXCEPTION 'injected failure'; END $$"
                )
                c.execute(
                    f"CREATE TRIGGER {TRIGGER} BEFORE {action} ON {table} FOR EACH ROW "
                    f"WHEN ({when}) EXECUTE FUNCTION {TRIGGER}()"
                )
            else:
                c.execute(
                    f"CREATE TRIGGER {TRIGGER} BEFORE {action} ON {table} FOR EACH ROW "
                    f"WHEN {when} BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
                )

    yield create
    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            for table in tables:
                c.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {table}")
            c.execute(f"DROP FUNCTION IF EXISTS {TRIGGER}()")
        else:
            c.execute(f"DROP TRIGGER IF EXISTS {TRIGGER}")


@pytest.fixture
def strategy(db):
    load_strategy()  # a committed test starts from empty tables
    return Strategy.objects.get(code="nemuro-2")


def test_it_keeps_the_stored_actual_when_the_save_fails_after_writing_it(
    strategy, alice, fail_the_write
):
    ind = Indicator.objects.get(code="1-ア-1-1")
    Actual.objects.create(indicator=ind, fiscal_year=2022, value=1, updated_by=alice)
    history = Actual.history.count()
    # save_actual writes the actual (and its history row), then its WorkflowEvent: that fails.
    fail_the_write("INSERT", WorkflowEvent._meta.db_table)
    with pytest.raises(DatabaseError, match="injected failure"):
        services.save_actual(
            indicator=ind,
            fiscal_year=2022,
            user=alice,
            values=EntryValues(Decimal(2), False, "", None, "", "", False),
            expected_version=1,
        )
    a = Actual.objects.get(indicator=ind, fiscal_year=2022)
    assert (a.value, a.version) == (1, 1)
    assert Actual.history.count() == history
    assert not WorkflowEvent.objects.exists()


def test_it_leaves_the_year_open_when_the_lock_fails_after_writing_it(
    strategy, bob, fail_the_write
):
    # lock_year writes the YearReview as locked, then its LOCK event: that fails.
    fail_the_write("INSERT", WorkflowEvent._meta.db_table)
    with pytest.raises(DatabaseError, match="injected failure"):
        services.lock_year(strategy=strategy, fiscal_year=2022, user=bob, reason="検証のため")
    assert not YearReview.objects.filter(fiscal_year=2022, is_locked=True).exists()
    assert not services.is_locked(strategy, 2022)


def test_it_publishes_nothing_when_the_publish_fails_after_writing_the_targets(
    strategy, dave, fail_the_write
):
    revision = open_revision(strategy, dave)
    target_change(revision, dave)
    targets = list(IndicatorTarget.objects.order_by("pk").values_list("pk", "target_value"))
    # publish_revision writes the new target rows, then marks the revision published: that fails.
    fail_the_write("UPDATE", Revision._meta.db_table, revision.pk)
    with pytest.raises(DatabaseError, match="injected failure"):
        revision_services.publish_revision(revision=revision, user=dave)
    assert list(IndicatorTarget.objects.order_by("pk").values_list("pk", "target_value")) == (
        targets
    )
    assert not IndicatorTarget.objects.filter(indicator=indicator(), revision=revision).exists()
    revision.refresh_from_db()
    assert revision.status == Revision.Status.DRAFT
