"""Backup and restore as the README describes them round-trip every row identically: strategies,
actuals, council opinions and responses, revisions, workflow events and every audit-trail
(history) table.

PostgreSQL: pg_dump --format=custom, then pg_restore into a new, empty database; every table and
every sequence is compared. SQLite: dumpdata --format=xml --natural-foreign (without content
types, permissions and sessions, which migrate recreates or which are transient), then migrate and
loaddata into a new database file; every table of the data is compared. (JSON is not used: its
encoder cuts datetimes to milliseconds, so history dates would not come back identical.)"""

import os
import shutil
import sqlite3
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import psycopg2
import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import connection

from council.models import Opinion, Response
from council.services import create_opinion, record_response
from front.loading import load_strategy
from kpis import services
from kpis.entry.rules import EntryValues
from kpis.models import Actual, Indicator, Strategy, WorkflowEvent
from kpis.roles import ALL_ROLES
from revisions.models import Revision

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parent.parent
# Not part of a backup: recreated by `migrate` (content types, permissions, the migration
# record, SQLite's own counters) or transient (sessions).
SQLITE_NOT_IN_BACKUP = {
    "django_content_type",
    "auth_permission",
    "django_migrations",
    "django_session",
    "sqlite_sequence",
}


def _values(value, note=""):
    return EntryValues(Decimal(value), False, "", None, "市の業務統計", note, False)


@pytest.fixture
def regrouped(db):
    """The roles' groups made again before the users join them, as an administrator deleting and
    re-adding one would (and as an earlier transactional test's flush does): their ids then differ
    from the ones a new database's `migrate` gives, and the restore must not depend on them (nor
    on what earlier tests left)."""
    Group.objects.filter(name__in=ALL_ROLES).delete()
    groups = [Group.objects.create(name=name) for name in reversed(ALL_ROLES)]
    # A former member: the group memberships' row ids no longer start at 1 either.
    User.objects.create(username="former").groups.add(*groups)
    User.objects.filter(username="former").delete()


def _make_data(alice, bob, charlie, fisheries):
    """The strategy, actuals through save → submit → confirm (history and events), a year lock,
    a council opinion with the city's response, and the strategy's first revision."""
    load_strategy()
    strategy = Strategy.objects.get(code="nemuro-2")
    indicators = list(Indicator.objects.filter(code__in=["1-ア-1-1", "1-ア-1-2"]))
    Indicator.objects.filter(pk__in=[i.pk for i in indicators]).update(department=fisheries)
    for ind in indicators:
        first = services.save_actual(
            indicator=ind, fiscal_year=2021, user=alice, values=_values("27700"), expected_version=0
        )
        services.save_actual(
            indicator=ind,
            fiscal_year=2021,
            user=alice,
            values=_values("27800.5", note="漁獲量は前年並み。"),
            expected_version=first.version,
            submit=True,
        )
        services.save_actual(
            indicator=ind, fiscal_year=2022, user=alice, values=_values("1.25"), expected_version=0
        )
    submitted = Actual.objects.filter(fiscal_year=2021).values_list("pk", flat=True)
    services.confirm_actuals(strategy=strategy, fiscal_year=2021, actual_ids=submitted, user=bob)
    services.lock_year(strategy=strategy, fiscal_year=2021, user=bob, reason="検証のため")
    opinion = create_opinion(
        strategy=strategy,
        fiscal_year=2021,
        target=indicators[0],
        body="目標に向けて順調です。",
        author=charlie,
    )
    record_response(opinion=opinion, body="引き続き取り組みます。", author=bob)
    # Every kind of row the README promises to round-trip is there.
    assert Actual.objects.count() == 4 and Actual.history.count() == 8
    assert WorkflowEvent.objects.count() >= 9
    assert Opinion.objects.count() == 1 and Response.objects.count() == 1
    assert Revision.objects.filter(strategy=strategy).exists()


def _run(command, **kwargs):
    """Run a backup or restore command; a failure shows what the command printed."""
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    assert done.returncode == 0, (
        f"{' '.join(map(str, command))} exited {done.returncode}\n"
        f"--- stdout ---\n{done.stdout}\n--- stderr ---\n{done.stderr}"
    )


def _rows(cursor, table, without_id=False):
    quote = '"'
    cursor.execute(f"SELECT * FROM {quote}{table}{quote}")
    rows = cursor.fetchall()
    if without_id:
        at = [c[0] for c in cursor.description].index("id")
        rows = [row[:at] + row[at + 1 :] for row in rows]
    return sorted(rows, key=repr)


def _many_to_many_tables():
    """Tables Django makes for a many-to-many field: dumpdata keeps the pairs, not their row ids
    (loaddata numbers them anew), so they are compared without the id."""
    return {
        f.remote_field.through._meta.db_table
        for model in apps.get_models()
        for f in model._meta.local_many_to_many
        if f.remote_field.through._meta.auto_created
    }


# --- PostgreSQL: pg_dump / pg_restore -----------------------------------------------------------


def _pg_url(name):
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgresql://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def _pg_tables(conn):
    with conn.cursor() as c:
        c.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
        )
        return [r[0] for r in c.fetchall()]


def _pg_sequences(conn):
    with conn.cursor() as c:
        c.execute("SELECT sequencename, last_value FROM pg_sequences ORDER BY sequencename")
        return c.fetchall()


def _drop(name):
    with connection.cursor() as c:
        c.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name]
        )
        c.execute(f'DROP DATABASE IF EXISTS "{name}"')


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL のバックアップ")
@pytest.mark.skipif(not shutil.which("pg_dump"), reason="pg_dump がありません")
def test_it_round_trips_every_row_through_pg_dump_and_pg_restore(
    tmp_path, regrouped, alice, bob, charlie, fisheries
):
    _make_data(alice, bob, charlie, fisheries)
    source = connection.settings_dict["NAME"]
    restored = f"{source}_restored"
    dump = tmp_path / "nemuro.dump"
    _run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", _pg_url(source)])
    _drop(restored)
    with connection.cursor() as c:
        c.execute(f'CREATE DATABASE "{restored}"')
    try:
        _run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={_pg_url(restored)}", dump])
        before, after = psycopg2.connect(_pg_url(source)), psycopg2.connect(_pg_url(restored))
        try:
            tables = _pg_tables(before)
            assert _pg_tables(after) == tables
            for table in tables:
                with before.cursor() as b, after.cursor() as a:
                    assert _rows(a, table) == _rows(b, table), table
            # New rows after a restore get new ids: the sequences came along.
            assert _pg_sequences(after) == _pg_sequences(before)
        finally:
            before.close()
            after.close()
    finally:
        _drop(restored)


# --- SQLite: dumpdata / loaddata -----------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite のバックアップ")
def test_it_round_trips_every_row_through_dumpdata_and_loaddata(
    tmp_path, regrouped, alice, bob, charlie, fisheries
):
    _make_data(alice, bob, charlie, fisheries)
    dump = tmp_path / "nemuro.xml"
    call_command(
        "dumpdata",
        "--format=xml",  # JSON would cut datetimes to milliseconds (DjangoJSONEncoder)
        "--natural-foreign",
        "--exclude=contenttypes",
        "--exclude=auth.permission",
        "--exclude=sessions",
        f"--output={dump}",
        verbosity=0,
    )
    restored = tmp_path / "restored.sqlite3"
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{restored}")
    # The README's steps: migrate, empty what migrate wrote (the roles' groups), load the backup.
    for command in (["migrate", "--noinput"], ["flush", "--noinput"], ["loaddata", str(dump)]):
        _run([sys.executable, "manage.py", *command], cwd=ROOT, env=env)
    # The same column converters as Django's SQLite backend (bool, timestamp, decimal…).
    after = sqlite3.connect(restored, detect_types=sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES)
    try:
        names = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        with connection.cursor() as c:
            c.execute(names)
            tables = [r[0] for r in c.fetchall()]
        assert [r[0] for r in after.execute(names)] == tables
        compared, pairs = 0, _many_to_many_tables()
        assert "auth_user_groups" in pairs
        for table in tables:
            if table in SQLITE_NOT_IN_BACKUP:
                continue
            with connection.cursor() as b:
                restored_rows = _rows(after.cursor(), table, without_id=table in pairs)
                assert restored_rows == _rows(b, table, without_id=table in pairs), table
            compared += 1
        assert compared > 50
    finally:
        after.close()
