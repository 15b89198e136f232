"""SQLite (the first-run database): two clerks saving the same actual at the same moment, each
with its own connection to a real database file (tests/sqlite_race.py, in a child process so the
suite's in-memory database is not involved). With the settings' BEGIN IMMEDIATE and timeout the
second waits for the first: one is saved, the other gets its Japanese StaleEdit message, and
neither sees "database is locked" (a 500 in a view). The second test shows the race is real: with
SQLite's default DEFERRED mode the same run fails with "database is locked"."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    db = tmp_path_factory.mktemp("sqlite") / "migrated.sqlite3"
    _run([sys.executable, "manage.py", "migrate", "--noinput"], db)
    return db


def _run(cmd, db):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}"}
    result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return result.stdout


def _race(migrated, tmp_path, *mode):
    db = tmp_path / "race.sqlite3"
    shutil.copy(migrated, db)
    out = _run([sys.executable, "tests/sqlite_race.py", str(db), *mode], db)
    return json.loads(out.strip().splitlines()[-1])


def test_it_queues_two_saves_of_one_actual_instead_of_failing(migrated, tmp_path):
    race = _race(migrated, tmp_path)
    assert sorted(o.split(":")[0] for o in race["outcomes"]) == ["saved", "stale"], race
    stale = next(o for o in race["outcomes"] if o.startswith("stale"))
    assert "画面を開いた後に" in stale and "さんが更新しました" in stale, stale
    winner = race["outcomes"].index("saved")
    assert race["version"] == 2 and race["value"] == f"{10 + winner}.0000", race
    assert race["history_added"] == 1, race  # the stale save changed nothing


def test_it_fails_with_database_is_locked_under_sqlites_default_mode(migrated, tmp_path):
    race = _race(migrated, tmp_path, "DEFERRED")
    assert any("database is locked" in o for o in race["outcomes"]), race
