"""Locking a year races a save (issue 14): on PostgreSQL a save that was waiting on a row lock
committed after the secretariat locked the year. lock_year and every write of a year's actuals
(entry save, Excel import, confirm, restore) now take the year's YearReview row FOR UPDATE, so a
write that starts while the lock is being taken waits for it and is refused. Real concurrent
PostgreSQL connections (threads), no mocks."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction

from front.loading import load_strategy
from kpis import services
from kpis.entry.rules import EntryValues
from kpis.excel import importer, layout
from kpis.models import Actual, Indicator, Strategy, YearReview

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs a server with row locks"
)

VALUES = EntryValues(Decimal(25000), False, "", None, "", "", False)


def _save(strategy, indicator, user, fisheries):
    services.save_actual(
        indicator=indicator, fiscal_year=2022, user=user, values=VALUES, expected_version=0
    )


def _import(strategy, indicator, user, fisheries):
    inputs = [
        {"row": layout.FIRST_DATA_ROW, "key": layout.indicator_key("nemuro-2", indicator.code)}
        | {"value": "25000", "reason": "", "data_year": "", "source": "", "note": ""}
        | {"confirm": ""}
    ]
    importer.commit(
        strategy=strategy, department=fisheries, fiscal_year=2022, user=user, inputs=inputs
    )


@pytest.mark.parametrize("write", [_save, _import], ids=["entry-save", "excel-import"])
@pytest.mark.django_db(transaction=True)
def test_a_write_started_while_the_year_is_being_locked_waits_and_is_refused(
    write, alice, bob, fisheries
):
    load_strategy()
    strategy = Strategy.objects.get(code="nemuro-2")
    Indicator.objects.filter(code="1-ア-1-1").update(department=fisheries)
    indicator = Indicator.objects.get(code="1-ア-1-1")
    locking, go, outcome = threading.Event(), threading.Event(), []

    def run_lock():
        try:
            with transaction.atomic():
                services.lock_year(
                    strategy=strategy, fiscal_year=2022, user=bob, reason="検証のため"
                )
                locking.set()
                go.wait(10)  # the lock is taken, not yet committed
        finally:
            connection.close()

    def run_write():
        try:
            write(strategy, indicator, alice, fisheries)
            outcome.append("saved")
        except (services.WorkflowError, importer.ImportRejected) as e:
            outcome.append(type(e).__name__)
        finally:
            connection.close()

    locker = threading.Thread(target=run_lock)
    locker.start()
    writer = None
    try:
        assert locking.wait(10)
        writer = threading.Thread(target=run_write)
        writer.start()
        writer.join(1.5)
        assert writer.is_alive(), f"the write did not wait for the lock: {outcome}"
    finally:
        go.set()
        locker.join(10)
        if writer is not None:
            writer.join(10)
    assert outcome in (["WorkflowError"], ["ImportRejected"])
    assert not Actual.objects.filter(indicator=indicator, fiscal_year=2022).exists()
    assert YearReview.objects.get(strategy=strategy, fiscal_year=2022).is_locked
