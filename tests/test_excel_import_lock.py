"""The Excel import's commit writes every row at once (services.save_actuals_in_bulk) without
save_actual's per-row version claim; what keeps a concurrent save from being lost is that the
commit holds the strategy's row and the department's actuals with SELECT … FOR UPDATE from its
validation to its end. This drill pauses a real commit after those locks, just before its first
write (so a commit that released them early — its save moved out of the transaction, or the FOR
UPDATE dropped — is caught), and tries the entry form's save and a bare UPDATE of the same actual
(PostgreSQL): both have to wait."""

import threading
from decimal import Decimal

import pytest
from django.db import OperationalError, connection, transaction

from front.loading import load_strategy
from kpis import services
from kpis.entry.rules import EntryValues
from kpis.excel import importer, layout
from kpis.models import Actual, Indicator, Strategy

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs a server with row locks"
)


@pytest.mark.django_db(transaction=True)
def test_the_commit_holds_the_actuals_it_checked_until_it_ends(alice, bob, fisheries):
    load_strategy()
    strategy = Strategy.objects.get(code="nemuro-2")
    codes = ["1-ア-1-1", "1-ア-1-2"]
    Indicator.objects.filter(code__in=codes).update(department=fisheries)
    first = Indicator.objects.get(code="1-ア-1-1")
    services.save_actual(
        indicator=first,
        fiscal_year=2022,
        user=alice,
        values=EntryValues(Decimal(25000), False, "", None, "", "", False),
        expected_version=0,
    )
    inputs = [
        {"row": layout.FIRST_DATA_ROW + n, "key": layout.indicator_key("nemuro-2", code)}
        | {"value": str(26000 + n), "reason": "", "data_year": "", "source": "", "note": ""}
        | {"confirm": ""}
        for n, code in enumerate(codes)
    ]
    locked, go, saved = threading.Event(), threading.Event(), []

    seen_lock = []

    def pause_before_the_write(execute, sql, params, many, context):
        # Validation is over once the first INSERT/UPDATE comes; pause before it runs.
        if "FOR UPDATE" in sql:
            seen_lock.append(sql)
        elif seen_lock and sql.lstrip().upper().startswith(("INSERT", "UPDATE")):
            if not locked.is_set():
                locked.set()
                go.wait(10)
        return execute(sql, params, many, context)

    def run_commit():
        try:
            with connection.execute_wrapper(pause_before_the_write):
                saved.append(
                    importer.commit(
                        strategy=strategy,
                        department=fisheries,
                        fiscal_year=2022,
                        user=alice,
                        inputs=inputs,
                        filename="入力済み.xlsx",
                    )
                )
        finally:
            connection.close()

    worker = threading.Thread(target=run_commit)
    worker.start()
    try:
        assert locked.wait(10), "the commit never locked the actuals it validated"
        # The secretariat saves the same actual from the entry form meanwhile: it has to wait.
        with pytest.raises(OperationalError, match="lock timeout"), transaction.atomic():
            with connection.cursor() as c:
                c.execute("SET LOCAL lock_timeout = '300ms'")
            services.save_actual(
                indicator=first,
                fiscal_year=2022,
                user=bob,
                values=EntryValues(Decimal(1), False, "", None, "", "", False),
                expected_version=1,
            )
        # A writer that does not take the strategy's row (a bare UPDATE) waits on the actual's.
        with pytest.raises(OperationalError, match="lock timeout"), transaction.atomic():
            with connection.cursor() as c:
                c.execute("SET LOCAL lock_timeout = '300ms'")
            Actual.objects.filter(indicator=first, fiscal_year=2022).update(note="横入り")
    finally:
        go.set()
        worker.join(10)
    assert saved == [2]
    a = Actual.objects.get(indicator=first, fiscal_year=2022)
    assert (a.value, a.version, a.updated_by) == (Decimal(26000), 2, alice)
