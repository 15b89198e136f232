"""The Excel import's commit, run in its own process so that a fault drill can kill it or cut its
database connection in the middle (tests/test_fault_import.py). Not for production use.

    DATABASE_URL=… python scripts/fault_import.py --user alice --department 3 --fiscal-year 2021 \
        --pause-at 20 --pause sleep|stdin

It fills one row per indicator of the department (the rows an uploaded entry template would give
kpis.excel.importer.commit) and commits them. With --pause-at N it stops at the commit's last
step — its first WorkflowEvent INSERT, after the bulk writer's inserts (and their inner
transaction) and updates are done — if N or more of those actuals are written inside the still
open outer transaction, prints `PAUSED <rows written> <backend pid>` and
then sleeps (--pause sleep: the drill kills it with SIGKILL) or waits for a line on stdin
(--pause stdin: the drill terminates its database backend first, then lets it go on). The pause
hooks the database connection (an execute_wrapper), not the importer, so it works whether the
importer saves row by row or in bulk. Prints `COMMITTED <n>` when the commit returned."""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--user", required=True)
    parser.add_argument("--department", type=int, required=True)
    parser.add_argument("--fiscal-year", type=int, required=True)
    parser.add_argument("--strategy", default="nemuro-2")
    parser.add_argument("--pause-at", type=int, default=0, help="0: no pause")
    parser.add_argument("--pause", choices=["sleep", "stdin"], default="sleep")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nemuro_strategy.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.db import connection

    from kpis.excel import importer, layout
    from kpis.models import Department, Indicator, Strategy

    strategy = Strategy.objects.get(code=args.strategy)
    department = Department.objects.get(pk=args.department)
    user = User.objects.get(username=args.user)
    indicators = list(
        Indicator.objects.for_strategy(strategy).filter(department=department).order_by("pk")
    )
    ids = [i.pk for i in indicators]
    inputs = [
        {
            "row": layout.FIRST_DATA_ROW + n,
            "key": layout.indicator_key(strategy.code, ind.code),
            "value": str(10 + n % 50),
            "reason": "",
            "data_year": "",
            "source": "障害試験",
            # Values far from the baselines: marked checked with a reason, as a clerk must.
            "note": "障害試験の値",
            "confirm": layout.CONFIRM_MARK,
        }
        for n, ind in enumerate(indicators)
    ]
    with connection.cursor() as c:
        c.execute("SELECT pg_backend_pid()")
        pid = c.fetchone()[0]
    state = {"busy": False, "paused": False}

    def pause_hook(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if (
            not args.pause_at
            or state["paused"]
            or state["busy"]
            or 'INSERT INTO "kpis_workflowevent"' not in sql
        ):
            return result
        state["busy"] = True
        try:
            with connection.cursor() as c:
                c.execute(
                    "SELECT count(*) FROM kpis_actual WHERE fiscal_year = %s"
                    " AND indicator_id = ANY(%s) AND data_source = %s",
                    [args.fiscal_year, ids, "障害試験"],
                )
                written = c.fetchone()[0]
        finally:
            state["busy"] = False
        if written >= args.pause_at:
            state["paused"] = True
            print(f"PAUSED {written} {pid}", flush=True)
            if args.pause == "sleep":
                time.sleep(120)  # the drill kills the process meanwhile
            else:
                sys.stdin.readline()
        return result

    with connection.execute_wrapper(pause_hook):
        saved = importer.commit(
            strategy=strategy,
            department=department,
            fiscal_year=args.fiscal_year,
            user=user,
            inputs=inputs,
            filename="障害試験.xlsx",
        )
    print(f"COMMITTED {saved}", flush=True)


if __name__ == "__main__":
    main()
