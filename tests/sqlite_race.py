"""Child process of tests/test_sqlite_locking.py: two clerks save the same actual at the same
moment, each in its own thread with its own connection to a file-based SQLite database.

    python tests/sqlite_race.py DB_FILE [TRANSACTION_MODE]

Prints one JSON line: each thread's outcome ("saved", "stale: <message>" or "error: <repr>"), the
actual's final version and value and how many history rows the race added. TRANSACTION_MODE
(e.g. DEFERRED) replaces the settings' mode, to show what the setting prevents."""

import json
import os
import sys
import threading
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nemuro_strategy.settings")

import django  # noqa: E402

FISCAL_YEAR = 2024


def main(db_file, mode=None):
    os.environ["DATABASE_URL"] = f"sqlite:///{db_file}"
    django.setup()
    from django.conf import settings

    if mode:  # before any connection is opened
        settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] = mode
    from django.contrib.auth.models import User
    from django.db import connection, transaction

    from front.loading import load_strategy
    from kpis import services
    from kpis.models import Actual, Indicator

    if not Indicator.objects.exists():
        load_strategy()
    indicator = Indicator.objects.order_by("pk").first()
    users = [User.objects.create_user(f"clerk{i}", last_name=f"入力担当{i}") for i in (1, 2)]
    first = services.save_actual(
        indicator=indicator,
        fiscal_year=FISCAL_YEAR,
        user=users[0],
        values=_values(Decimal("1")),
        expected_version=0,
    )
    history_before = Actual.history.count()
    connection.close()  # each thread below opens its own connection
    barrier = threading.Barrier(2)
    outcomes = {}

    def clerk(i):
        try:
            with transaction.atomic():
                # Both read inside their transaction before either writes (as a request does
                # before it saves); the barrier lines them up so the race happens every run. With
                # IMMEDIATE the second waits in BEGIN, so the first passes the barrier on timeout.
                Actual.objects.get(pk=first.pk)
                try:
                    barrier.wait(timeout=2)
                except threading.BrokenBarrierError:
                    pass
                services.save_actual(
                    indicator=indicator,
                    fiscal_year=FISCAL_YEAR,
                    user=users[i],
                    values=_values(Decimal(10 + i)),
                    expected_version=first.version,
                )
            outcomes[i] = "saved"
        except services.StaleEdit as e:
            outcomes[i] = f"stale: {e.message}"
        except Exception as e:  # noqa: BLE001 - the outcome the test must never see
            outcomes[i] = f"error: {e!r}"
        finally:
            connection.close()

    threads = [threading.Thread(target=clerk, args=(i,)) for i in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    final = Actual.objects.get(pk=first.pk)
    print(
        json.dumps(
            {
                "outcomes": [outcomes.get(i, "did not finish") for i in (0, 1)],
                "version": final.version,
                "value": str(final.value),
                "history_added": Actual.history.count() - history_before,
            },
            ensure_ascii=False,
        )
    )


def _values(value):
    from kpis.entry.rules import EntryValues

    return EntryValues(
        value=value,
        not_measurable=False,
        not_measurable_reason="",
        data_year=None,
        data_source="",
        note="",
        outlier_confirmed=True,
    )


if __name__ == "__main__":
    main(*sys.argv[1:])
