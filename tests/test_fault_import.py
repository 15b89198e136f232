"""Fault drills of the Excel import (PostgreSQL): the importing process killed with SIGKILL, or its
database connection terminated, in the middle of the commit. Afterwards either every row of the
file is stored or none is, nothing stays locked, and importing the same file again works.

Some actuals exist before the import (so it updates rows as well as inserting them). The import
runs in a subprocess (scripts/fault_import.py) against the test database; it pauses at its last
step, once every actual is written — the new ones in the bulk writer's own inner transaction,
already released — inside the still open outer transaction, and says so: only that outer atomic
can undo them, and the fault always strikes after writes rather than at a lucky moment."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from front.loading import load_strategy
from kpis.models import Actual, Indicator, WorkflowEvent

EXISTING = 12  # actuals stored before the import: the import updates these, inserts the rest

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs a PostgreSQL server"),
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2021


def _database_url():
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def setup(alice, fisheries):
    """Every indicator of the strategy belongs to alice's department: one file of 47 rows."""
    load_strategy()
    Indicator.objects.update(department=fisheries)
    for indicator in Indicator.objects.order_by("pk")[:EXISTING]:
        Actual.objects.create(
            indicator=indicator, fiscal_year=YEAR, value=1, data_source="既存", updated_by=alice
        )
    return alice, fisheries, Indicator.objects.count()


def _start(user, department, *, pause_at=0, pause="sleep"):
    env = dict(os.environ, DATABASE_URL=_database_url(), CONN_MAX_AGE="0")
    return subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "scripts" / "fault_import.py"),
            "--user",
            user.username,
            "--department",
            str(department.pk),
            "--fiscal-year",
            str(YEAR),
            "--pause-at",
            str(pause_at),
            "--pause",
            pause,
        ],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_pause(proc, timeout=60):
    """(rows written in the open transaction, backend pid) once the worker says PAUSED."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.startswith("PAUSED"):
            _, written, pid = line.split()
            return int(written), int(pid)
        if not line and proc.poll() is not None:
            break
    proc.kill()
    raise AssertionError(f"the import never paused: {proc.stderr.read()[-2000:]}")


def _wait_backend_gone(pid, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as c:
            c.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
            if c.fetchone()[0] == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"backend {pid} of the killed import is still there")


def _stored():
    return Actual.objects.filter(fiscal_year=YEAR).count()


def _untouched():
    """Only the actuals from before the import, exactly as they were."""
    rows = list(
        Actual.objects.filter(fiscal_year=YEAR).values_list("value", "data_source", "version")
    )
    assert rows == [(1, "既存", 1)] * EXISTING
    assert Actual.history.filter(fiscal_year=YEAR).count() == EXISTING  # their creation only
    assert not WorkflowEvent.objects.filter(fiscal_year=YEAR).exists()


def _import_again(user, department, total):
    """Nothing stayed locked or half-written: the same file imports completely."""
    proc = _start(user, department)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err[-2000:]
    assert f"COMMITTED {total}" in out
    assert _stored() == total
    assert not Actual.objects.filter(fiscal_year=YEAR).exclude(data_source="障害試験").exists()
    assert WorkflowEvent.objects.filter(fiscal_year=YEAR, action="import").count() == total
    assert Actual.history.filter(fiscal_year=YEAR).count() == total + EXISTING


def test_it_stores_nothing_when_the_import_is_killed_mid_write(setup):
    user, department, total = setup
    proc = _start(user, department, pause_at=20, pause="sleep")
    try:
        written, pid = _wait_for_pause(proc)
        assert written == total  # every row, updated or inserted, inside the open transaction
        proc.send_signal(signal.SIGKILL)  # kill -9: no cleanup, no rollback from the process
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    _wait_backend_gone(pid)  # PostgreSQL noticed the dead client and rolled its transaction back
    _untouched()
    _import_again(user, department, total)


def test_it_stores_nothing_when_the_database_connection_drops_mid_write(setup):
    user, department, total = setup
    proc = _start(user, department, pause_at=20, pause="stdin")
    try:
        written, pid = _wait_for_pause(proc)
        assert written == total
        with connection.cursor() as c:
            c.execute("SELECT pg_terminate_backend(%s)", [pid])
            assert c.fetchone()[0] is True
        _wait_backend_gone(pid)
        out, err = proc.communicate("go on\n", timeout=60)  # its next query meets a dead connection
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode != 0
    assert "COMMITTED" not in out
    assert "OperationalError" in err or "InterfaceError" in err, err[-2000:]
    _untouched()
    _import_again(user, department, total)


def test_it_stores_every_row_when_nothing_goes_wrong(setup):
    """The control: the same worker, not interrupted, stores the whole file."""
    user, department, total = setup
    _import_again(user, department, total)
