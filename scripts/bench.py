"""`make bench`: the performance targets of the benchmark issue, measured side by side in one run.

    .venv/bin/python scripts/bench.py                 # everything (2–4 minutes on 2 cores)
    .venv/bin/python scripts/bench.py --reuse         # skip regenerating the databases
    .venv/bin/python scripts/bench.py --requests 100  # more samples per page
    .venv/bin/python scripts/bench.py --baseline REF  # also "before": commit REF served beside
    .venv/bin/python scripts/bench.py --reuse --profile overview   # pyinstrument, in-process
    .venv/bin/python scripts/bench.py --reuse --profile import      # pyinstrument of the import

What it does (see docs/benchmarks.md for the results and how to read them):

1. Creates (drops first) three PostgreSQL databases next to BENCH_DATABASE_URL's:
   nemuro_bench_small (Nemuro's strategy with synthetic actuals), nemuro_bench_large (the same
   plus 99 synthetic strategies of the same size and 300 users: scripts/synthetic.py) and
   nemuro_bench_import (a strategy whose 5,000 KPIs belong to one department).
2. Counts the SQL queries of every page in-process (CaptureQueriesContext) on both sizes.
3. Serves each size with its own gunicorn (2 workers, DEBUG=0, loopback only; with --baseline
   two more serve the same databases with the code of an earlier commit, checked out in a git
   worktree, so before and after are measured in one run) and requests each page N times after
   a warm-up, each request followed by the trivial view /healthz on the same server, the servers
   taking turns, so that every ratio compares requests made under the same machine load. Server
   time is the Server-Timing header of nemuro_strategy/middleware.py (SERVER_TIMING=1); the
   client's wall time on loopback is reported beside it.
4. Times the Excel import of 5,000 actuals (upload checks, read, template check, preview,
   commit) against openpyxl merely reading the same file.
5. Times the import of a strategy workbook of 500 KPIs as a new strategy (read, preview, write)
   against openpyxl reading the same file, in its own database nemuro_bench_workbook (also alone:
   `scripts/bench.py --only strategy-workbook [--kpis 500] [--reuse]`).

BENCH_DATABASE_URL (default postgres://nemuro:nemuro@127.0.0.1:5432/nemuro, the role .ci/run
creates) names a role allowed to create databases; only the database name is replaced.
Exit status: 0 whatever the timings (the table says which targets are met); non-zero when the
setup or a request fails, or when the --baseline renders different table rows."""

import argparse
import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
DEFAULT_URL = "postgres://nemuro:nemuro@127.0.0.1:5432/nemuro"
# BENCH_DB_SUFFIX / BENCH_PORT keep parallel runs (one per worktree) apart.
_SUFFIX = os.environ.get("BENCH_DB_SUFFIX", "")
DATABASES = {
    "small": f"nemuro_bench_small{_SUFFIX}",
    "large": f"nemuro_bench_large{_SUFFIX}",
    "import": f"nemuro_bench_import{_SUFFIX}",
}
WORKBOOK_DATABASE = f"nemuro_bench_workbook{_SUFFIX}"  # --only strategy-workbook
WORKBOOK_KPIS = 500
PORT = int(os.environ.get("BENCH_PORT", "8701"))
STRATEGY = "nemuro-2"
IMPORT_ROWS = 5000

# (key, label, user, target ratio to the trivial view or None)
PAGES = [
    ("overview", "ダッシュボード（概要）", "bench-council", 5.0),
    # The same page as the first request after a write: before each request a transaction is
    # committed on the database (see Writer). Nothing caches the overview any more (it did per
    # PostgreSQL snapshot, which such a commit moved on); the row stays to measure the target.
    ("overview_miss", "ダッシュボード（書込み直後）", "bench-council", None),
    ("table", "指標一覧（絞り込み・並べ替え）", "bench-council", None),
    ("indicator", "指標のページ", "bench-council", None),
    ("entry", "実績入力", "bench-clerk", None),
    ("review", "効果検証資料", "bench-council", None),
    ("admin", "管理画面の指標一覧（同じ47指標）", "bench-admin", None),
    # A signed-in page rendering only the site's shell (nemuro_strategy/health.shell): the floor
    # every signed-in page pays; the overview after a write is held to 5× it, without a cache.
    ("shell", "ログイン後の枠だけのページ", "bench-council", None),
]
SHELL_TARGET = 5.0
PER_STRATEGY = ["overview", "overview_miss", "table", "indicator", "entry", "review"]
UNCACHED = "overview_miss"  # its URL ends in "?after_write=": each request appends its own value


class Writer:
    """Commits a transaction that was given a transaction id: what any save does to PostgreSQL's
    snapshot (pg_current_snapshot() moves on), without changing the benchmark's data."""

    def __init__(self, database_url):
        import psycopg2

        self.conn = psycopg2.connect(database_url)
        self.conn.autocommit = True

    def write(self):
        with self.conn.cursor() as c:
            c.execute("SELECT txid_current()")

    def close(self):
        self.conn.close()


def db_url(base, name):
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{name}"))


def child_env(database_url, app_root=ROOT, **extra):
    """The environment of a worker or gunicorn running the application found at app_root."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="nemuro_strategy.settings",
        DEBUG="0",
        SECRET_KEY=os.environ.get("SECRET_KEY") or "bench-secret-key-not-for-production-0123456789",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_SSL_REDIRECT="0",
        STATIC_MANIFEST="0",
        CONN_MAX_AGE="60",
        LOG_LEVEL="ERROR",
        PYTHONPATH=str(app_root),
        BENCH_APP_ROOT=str(app_root),
        PYTHONWARNINGS="ignore:No directory at",  # whitenoise: no collectstatic for the benchmark
    )
    env.update(extra)
    return env


def run(cmd, env, quiet=True, cwd=ROOT):
    started = time.perf_counter()
    out = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        sys.stderr.write(out.stdout + out.stderr)
        raise SystemExit(f"failed: {' '.join(cmd)}")
    if not quiet:
        sys.stdout.write(out.stdout)
    return out.stdout, time.perf_counter() - started


# --- databases ---------------------------------------------------------------------------------


def admin_connection(base):
    import psycopg2

    conn = psycopg2.connect(db_url(base, "postgres"))  # the maintenance database of the server
    conn.autocommit = True
    return conn


def recreate(conn, name, template=None):
    with conn.cursor() as c:
        c.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name]
        )
        c.execute(f'DROP DATABASE IF EXISTS "{name}"')
        c.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


def prepare(base):
    """Create the three databases (migrations run once; the others are copies), then fill them
    in parallel."""
    conn = admin_connection(base)
    small = DATABASES["small"]
    recreate(conn, small)
    _, took = run([PY, "manage.py", "migrate", "--noinput"], child_env(db_url(base, small)))
    print(f"  migrated {small} in {took:.0f} s")
    for key in ("large", "import"):
        recreate(conn, DATABASES[key], template=small)
    conn.close()
    jobs = {
        "small": ["nemuro"],
        "large": ["nemuro", "--strategies", "99", "--users", "300"],
        "import": ["import", "--rows", str(IMPORT_ROWS)],
    }
    started = time.perf_counter()
    procs = {
        key: subprocess.Popen(
            [PY, "scripts/synthetic.py", *args, "--database-url", db_url(base, DATABASES[key])],
            cwd=ROOT,
            env=child_env(db_url(base, DATABASES[key])),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for key, args in jobs.items()
    }
    for key, p in procs.items():
        out, _ = p.communicate()
        if p.returncode:
            sys.stderr.write(out)
            raise SystemExit(f"scripts/synthetic.py failed for {key}")
        for line in out.strip().splitlines():
            print(f"  {DATABASES[key]}: {line}")
    print(f"  generated in {time.perf_counter() - started:.0f} s")


# --- in-process workers (run in a child with DATABASE_URL set) ---------------------------------


def _django(args):
    for k, v in child_env(args.database_url).items():
        os.environ.setdefault(k, v)
    os.environ["DATABASE_URL"] = args.database_url
    sys.path.insert(0, os.environ.get("BENCH_APP_ROOT") or str(ROOT))  # --baseline: the old tree
    import django

    django.setup()


def page_urls():
    """The URL of every page, for Nemuro's strategy in this database."""
    from django.urls import reverse

    from kpis.models import Department, Indicator, Strategy

    strategy = Strategy.objects.get(code=STRATEGY)
    indicator = Indicator.objects.get(basic_goal__strategy=strategy, code="1-ア-1-1")
    department = Department.objects.get(members__username="bench-clerk")
    overview = reverse("dashboard_overview", args=[STRATEGY])
    return {
        "trivial": reverse("healthz"),
        "overview": overview,
        UNCACHED: f"{overview}?after_write=",
        "table": f"{overview}?sort=-progress&direction=increase",
        "indicator": reverse("dashboard_indicator", args=[STRATEGY, indicator.pk]),
        "entry": reverse("entry", args=[STRATEGY, 2024, department.pk]),
        "review": reverse("review_pack", args=[STRATEGY, 2022]),
        "admin": reverse("admin:kpis_indicator_changelist")
        + f"?basic_goal__strategy__id__exact={strategy.pk}",
        "shell": reverse("healthz_shell"),
    }


def session_keys(users):
    """{user: session key}: a logged-in session for each user, written to the session table
    (also used by scripts/loadtest.py)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    keys = {}
    for user in users:
        s = SessionStore()
        s[SESSION_KEY] = str(user.pk)
        s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        s[HASH_SESSION_KEY] = user.get_session_auth_hash()
        s.create()
        keys[user] = s.session_key
    return keys


def sessions():
    """{username: session key} of every benchmark account."""
    from django.contrib.auth.models import User

    users = User.objects.filter(username__startswith="bench-")
    return {user.username: key for user, key in session_keys(users).items()}


def _tbody_digest(urls, keys):
    """sha256 of the table bodies of the overview and the filtered table, whitespace
    normalised: the current code and the --baseline must render the same rows."""
    import hashlib
    import re

    from django.test import Client

    out = []
    for key, user in (("overview", "bench-council"), ("table", "bench-secretariat")):
        client = Client()
        client.cookies["sessionid"] = keys[user]
        html = client.get(urls[key]).content.decode()
        body = re.search(r"<tbody.*?</tbody>", html, re.S).group(0)
        body = re.sub(r">\s+<", "><", body)
        out.append(re.sub(r"\s+(?=[<>])", "", re.sub(r"\s+", " ", body)))
    return hashlib.sha256("\n".join(out).encode()).hexdigest()


def worker_pages(args):
    """Print the page URLs, sessions and each page's SQL query count (as JSON)."""
    _django(args)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    urls = page_urls()
    keys = sessions()
    tbody = _tbody_digest(urls, keys)
    counts, sizes = {}, {}
    users = {key: user for key, _, user, _ in PAGES} | {"trivial": "bench-council"}
    for key, url in urls.items():
        client = Client()
        if key != "trivial":  # /healthz is asked without a session, as a load balancer does
            client.cookies["sessionid"] = keys[users[key]]
        client.get(url + ("warm" if key == UNCACHED else ""))  # templates, content types
        if key == UNCACHED:
            _commit_a_write()
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url + ("count" if key == UNCACHED else ""))
        assert response.status_code == 200, (key, url, response.status_code)
        counts[key] = len(ctx.captured_queries)
        sizes[key] = len(response.content)
    print(
        json.dumps(
            {"urls": urls, "sessions": keys, "queries": counts, "bytes": sizes, "tbody": tbody}
        )
    )


def _commit_a_write():
    """In-process Writer.write(): the next request sees a new snapshot (autocommit)."""
    from django.db import connection

    with connection.cursor() as c:
        c.execute("SELECT txid_current()")


def worker_profile(args):
    """pyinstrument of one page (in-process, through the test client) or of the import."""
    _django(args)
    from django.test import Client
    from pyinstrument import Profiler

    urls = page_urls()
    keys = sessions()
    users = {key: user for key, _, user, _ in PAGES}
    client = Client()
    client.cookies["sessionid"] = keys[users[args.profile]]
    # the uncached overview: a new query string each time, as in the measurement
    url = urls[args.profile]
    for i in range(3):
        client.get(url + (f"w{i}" if args.profile == UNCACHED else ""))
    profiler = Profiler(interval=0.0005)
    with profiler:
        for i in range(args.repeat):
            if args.profile == UNCACHED:
                _commit_a_write()
            client.get(url + (f"p{i}" if args.profile == UNCACHED else ""))
    print(profiler.output_text(unicode=True, color=False, show_all=False))


def _filled_template(rows):
    """The department's entry template for FY2024, built by kpis/excel/template.py, with every
    input row filled in as a clerk would (values, a source, a note)."""
    from io import BytesIO

    from django.contrib.auth.models import User
    from openpyxl import load_workbook

    from kpis.excel import layout
    from kpis.excel.template import build_template, template_rows
    from kpis.models import Department, Strategy

    strategy = Strategy.objects.get(code="synthetic-import")
    department = Department.objects.get(name__endswith="取込検証課")
    clerk = User.objects.get(username="bench-import-clerk")
    started = time.perf_counter()
    tpl_rows = template_rows(strategy=strategy, department=department, fiscal_year=2024, user=clerk)
    content = build_template(
        strategy=strategy, department=department, fiscal_year=2024, rows=tpl_rows
    )
    template_seconds = time.perf_counter() - started
    wb = load_workbook(BytesIO(content))
    ws = wb[layout.DATA_SHEET]
    col = {c.value: c.column for c in ws[layout.HEADER_ROW] if c.value}
    for r in range(layout.FIRST_DATA_ROW, layout.FIRST_DATA_ROW + rows):
        ws.cell(r, col[layout.VALUE]).value = 41 + r % 19
        ws.cell(r, col[layout.SOURCE]).value = "【合成データ】業務統計"
        ws.cell(r, col[layout.NOTE]).value = "【合成データ】前年度並み。"
    out = BytesIO()
    wb.save(out)
    return strategy, department, clerk, out.getvalue(), template_seconds, len(content)


def _openpyxl_read(data):
    from io import BytesIO

    from openpyxl import load_workbook

    wb = load_workbook(BytesIO(data), read_only=True)
    n = 0
    for ws in wb.worksheets:
        for _row in ws.iter_rows(values_only=True):
            n += 1
    wb.close()
    return n


class QueryCounter:
    """execute_wrapper that counts (CaptureQueriesContext keeps only the last 9,000)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _import(data, strategy, department, clerk, rows, phases):
    """The importer as the two requests run it: preview (checks, read, plan) and commit."""
    from kpis.excel import importer
    from kpis.excel.reader import check_upload, read_workbook

    where = {"strategy": strategy, "fiscal_year": 2024, "department": department}
    t = time.perf_counter()
    check_upload(name="入力済み.xlsx", content_type="", size=len(data), data=data)
    sheet = read_workbook(data)
    phases["read"].append(time.perf_counter() - t)
    t = time.perf_counter()
    assert not importer.check_template(sheet, **where), "not our template"
    inputs, issues = importer.extract_inputs(sheet)
    assert not issues, issues[:3]
    plan = importer.plan(**where, user=clerk, inputs=inputs)
    assert plan.ok and len(plan.changes) == rows, plan.issues[:3]
    phases["preview"].append(time.perf_counter() - t)
    t = time.perf_counter()
    saved = importer.commit(**where, user=clerk, inputs=inputs, filename="入力済み.xlsx")
    phases["commit"].append(time.perf_counter() - t)
    assert saved == rows, saved


def worker_import(args):
    """Time the import of `rows` actuals against openpyxl reading the same file (JSON)."""
    _django(args)
    from django.db import connection, transaction

    from kpis.excel import layout

    rows = args.rows
    # Commits before 2026-11-28 refused files of more than 500 rows (layout.MAX_DATA_ROWS); for
    # a --baseline that old, the limit is lifted in this process only.
    limit = layout.MAX_DATA_ROWS
    layout.MAX_DATA_ROWS = max(limit, rows)
    strategy, department, clerk, data, template_seconds, template_bytes = _filled_template(rows)
    openpyxl_times, phases = [], {"read": [], "preview": [], "commit": []}
    queries = None
    for i in range(args.repeat):
        t = time.perf_counter()
        assert _openpyxl_read(data) >= rows
        openpyxl_times.append(time.perf_counter() - t)
        with transaction.atomic():  # rolled back: every repetition imports into the same state
            if i == 0:
                counter = QueryCounter()
                with connection.execute_wrapper(counter):
                    _import(data, strategy, department, clerk, rows, phases)
                queries = counter.count
            else:
                _import(data, strategy, department, clerk, rows, phases)
            transaction.set_rollback(True)
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.001)
        with transaction.atomic(), profiler:
            _import(data, strategy, department, clerk, rows, {k: [] for k in phases})
            transaction.set_rollback(True)
        sys.stderr.write(profiler.output_text(unicode=True, color=False))
    print(
        json.dumps(
            {
                "rows": rows,
                "limit": limit,
                "file_bytes": len(data),
                "template_bytes": template_bytes,
                "template_seconds": template_seconds,
                "openpyxl": openpyxl_times,
                "phases": phases,
                "queries": queries,
            }
        )
    )


def worker_strategy_workbook(args):
    """Time importing a strategy workbook of `kpis` KPIs as a new strategy (read, preview, write;
    rolled back) against openpyxl merely reading the same file (JSON)."""
    _django(args)
    from django.contrib.auth.models import User
    from django.db import transaction

    from kpis.models import Strategy
    from revisions import services
    from revisions.snapshot import take_snapshot
    from revisions.workbook.export import export_strategy_workbook
    from revisions.workbook.plan import plan_new_strategy
    from revisions.workbook.reader import read_strategy_workbook

    source = Strategy.objects.get(code="synthetic-import")
    admin, _ = User.objects.get_or_create(username="bench-workbook-admin")
    snapshot = take_snapshot(source)
    snapshot["strategy"]["code"] = "synthetic-import-copy"  # imported as a new strategy
    started = time.perf_counter()
    data = export_strategy_workbook(snapshot)
    export_seconds = time.perf_counter() - started
    openpyxl_times, phases = [], {"read": [], "preview": [], "write": []}
    for _ in range(args.repeat):
        t = time.perf_counter()
        assert _openpyxl_read(data) >= args.kpis
        openpyxl_times.append(time.perf_counter() - t)
        with transaction.atomic():  # rolled back: every repetition imports into the same state
            t = time.perf_counter()
            result = read_strategy_workbook(data)
            phases["read"].append(time.perf_counter() - t)
            assert result.ok, [str(e) for e in result.errors[:3]]
            t = time.perf_counter()
            plan = plan_new_strategy(result.snapshot)
            assert plan.ok and dict(plan.counts)["KPI"] == args.kpis, plan.problems[:3]
            phases["preview"].append(time.perf_counter() - t)
            t = time.perf_counter()
            services.import_new_strategy(snapshot=result.snapshot, user=admin, settings_from=source)
            phases["write"].append(time.perf_counter() - t)
            transaction.set_rollback(True)
    print(
        json.dumps(
            {
                "kpis": args.kpis,
                "file_bytes": len(data),
                "export_seconds": export_seconds,
                "openpyxl": openpyxl_times,
                "phases": phases,
            }
        )
    )


def strategy_workbook_section(base, args) -> int:
    """`--only strategy-workbook`: its own database (a strategy of --kpis KPIs, made by
    scripts/synthetic.py), then the import timed against openpyxl's read of the same file."""
    url = db_url(base, WORKBOOK_DATABASE)
    conn = admin_connection(base)
    with conn.cursor() as c:
        c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [WORKBOOK_DATABASE])
        exists = c.fetchone() is not None
    if not (args.reuse and exists):
        recreate(conn, WORKBOOK_DATABASE)
    conn.close()
    if not (args.reuse and exists):
        _, took = run([PY, "manage.py", "migrate", "--noinput"], child_env(url))
        print(f"  migrated {WORKBOOK_DATABASE} in {took:.0f} s")
        synthetic = [PY, "scripts/synthetic.py", "import", "--rows", str(args.kpis)]
        out, _ = run([*synthetic, "--database-url", url], child_env(url))
        print("  " + out.strip().splitlines()[0])
    load = os.getloadavg()[0]
    print(
        f"== strategy workbook of {args.kpis:,} KPIs imported as a new strategy ({args.repeat} times, rolled back)"
    )
    r = child(
        "_strategy_workbook", url, ROOT, "--kpis", str(args.kpis), "--repeat", str(args.repeat)
    )
    o = statistics.median(r["openpyxl"])
    ph = {k: statistics.median(v) for k, v in r["phases"].items()}
    total = sum(ph.values())
    print(f"  file {r['file_bytes'] / 1024:.0f} KiB, exported in {r['export_seconds']:.2f} s")
    print(f"  openpyxl: load_workbook(read_only) + every row   {o:>7.2f} s")
    print(
        f"  import: upload checks + read_strategy_workbook  {ph['read']:>7.2f} s  {ph['read'] / o:.1f}×"
    )
    print(f"  import: preview (plan_new_strategy)             {ph['preview']:>7.2f} s")
    print(f"  import: write (import_new_strategy)             {ph['write']:>7.2f} s")
    print(
        f"  import total                                    {total:>7.2f} s  {total / o:.1f}× openpyxl"
    )
    print(f"  {mark(total / o <= 3)} import within 3× of openpyxl's read: {total / o:.1f}×")
    print(
        f"  (medians of {args.repeat}; load average {load:.2f} before, {os.getloadavg()[0]:.2f} after, {os.cpu_count()} cores)"
    )
    return 0


# --- HTTP measurement --------------------------------------------------------------------------


class Variant:
    """One gunicorn: a database (small/large) served by the current code or by the baseline's."""

    def __init__(self, size, port, baseline=None):
        self.size, self.port, self.baseline = size, port, baseline  # baseline: (ref, worktree)
        self.old = baseline is not None
        self.root = baseline[1] if baseline else ROOT
        self.key = size + ("@base" if self.old else "")
        self.label = ("Nemuro" if size == "small" else "100×") + ("@base" if self.old else "")


def variants(baseline):
    out = [Variant("small", PORT), Variant("large", PORT + 1)]
    if baseline:
        out = [Variant("small", PORT + 2, baseline), Variant("large", PORT + 3, baseline)] + out
    return out


def phases(vs):
    """[True, False] with a baseline (before, then after), else [False]."""
    return sorted({v.old for v in vs}, reverse=True)


def baseline_tree(ref):
    """A git worktree of `ref` (e.g. HEAD~3, a commit id) beside the checkout, made once."""
    sha = subprocess.run(
        ["git", "rev-parse", "--verify", f"{ref}^{{commit}}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    tree = Path(tempfile.gettempdir()) / f"nemuro-bench-{sha[:12]}"
    if not (tree / "manage.py").exists():
        subprocess.run(
            ["git", "worktree", "add", "--force", "--detach", str(tree), sha],
            cwd=ROOT,
            capture_output=True,
            check=True,
        )
    return f"{ref} ({sha[:7]})", tree


class Server:
    def __init__(self, v, database_url):
        self.key, self.port = v.key, v.port
        log = tempfile.NamedTemporaryFile(prefix="bench-gunicorn-", suffix=".log")
        self.log = log
        self.proc = subprocess.Popen(
            [
                str(Path(PY).with_name("gunicorn")),
                "nemuro_strategy.wsgi",
                "--chdir",
                str(v.root),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "2",
                "--timeout",
                "120",
                "--log-level",
                "warning",
            ],
            cwd=v.root,
            env=child_env(database_url, v.root, SERVER_TIMING="1"),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.log.seek(0)
                raise SystemExit(f"gunicorn {self.key} exited:\n{self.log.read().decode()}")
            try:
                if get(self.port, "/healthz")["status"] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"gunicorn {self.key} did not answer on port {self.port}")

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


def get(port, path, session=None):
    """{"status", "server", "cpu", "wall", "queries"} of one GET on a fresh connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Cookie": f"sessionid={session}"} if session else {}
    t = time.perf_counter()
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    response.read()
    wall = (time.perf_counter() - t) * 1000
    conn.close()
    out = {"status": response.status, "wall": wall}
    # Server-Timing: db;dur=…;desc="12 queries", cpu;dur=…, app;dur=…
    for part in (response.getheader("Server-Timing") or "").split(","):
        name, *params = [p.strip() for p in part.split(";")]
        fields = dict(p.split("=", 1) for p in params if "=" in p)
        if name == "app":
            out["server"] = float(fields["dur"])
        elif name == "cpu":
            out["cpu"] = float(fields["dur"])
        elif name == "db":
            out["queries"] = int(fields["desc"].strip('"').split()[0])
    return out


def pct(values, p):
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


METRICS = ("server", "cpu", "wall")


def measure(vs, info, n, warmup, writers):
    """{variant: {page: {"server": [...], "trivial_server": [...], "cpu": …, "wall": …}}}: each
    page request is followed by /healthz on the same server, and the servers take turns, so every
    ratio compares requests made under the same machine load. writers: {size: Writer}."""
    results = {v.key: {key: {} for key, *_ in PAGES} for v in vs}
    users = {key: user for key, _, user, _ in PAGES}
    for i in range(warmup + n):
        for v in vs:
            urls, keys = info[v.key]["urls"], info[v.key]["sessions"]
            for key, *_ in PAGES:
                url = urls[key] + (f"{i}-{v.key}" if key == UNCACHED else "")
                if key == UNCACHED:
                    writers[v.size].write()
                page = get(v.port, url, keys[users[key]])
                if page["status"] != 200:
                    raise SystemExit(f"{v.key} {key} {urls[key]}: HTTP {page['status']}")
                trivial = get(v.port, urls["trivial"])
                if i < warmup:
                    continue
                r = results[v.key][key]
                for m in METRICS:
                    r.setdefault(m, []).append(page[m])
                    r.setdefault(f"trivial_{m}", []).append(trivial[m])
    return results


# --- report ------------------------------------------------------------------------------------


def mark(ok):
    return "✓" if ok else "✗"


def p50(r, metric):
    return pct(r[metric], 50)


def label_of(key):
    return next(lbl for k, lbl, *_ in PAGES if k == key)


def report(vs, info, results, imports, n, baseline_label=""):
    lines = []
    out = lines.append
    keys = [v.key for v in vs]

    out("\n== 1. SQL queries per page (in-process, CaptureQueriesContext)")
    out(f"{'page':<36}" + "".join(f"{v.label:>12}" for v in vs) + "  same")
    all_same = True
    for key, label, *_ in [("trivial", "/healthz (trivial view)", None, None)] + PAGES:
        counts = [info[k]["queries"][key] for k in keys]
        same = len(set(counts[:2])) == 1 and len(set(counts[2:] or [0])) == 1
        all_same &= same
        out(f"{label:<36}" + "".join(f"{c:>12}" for c in counts) + f"  {mark(same)}")

    out(
        f"\n== 2. Server time per page ÷ /healthz right after it on the same gunicorn ({n} requests)"
    )
    out("server = Server-Timing app;dur (wall time inside Django), cpu = its CPU time; ms")
    out(
        f"{'page':<36} {'':<10} {'p50':>7} {'p95':>7} {'cpu p50':>7} {'healthz':>7} "
        f"{'×p50':>7} {'×p95':>7} {'cpu×':>6}  target"
    )
    for key, label, _, target in PAGES:
        for i, v in enumerate(vs):
            r = results[v.key][key]
            ratio = p50(r, "server") / p50(r, "trivial_server")
            goal = f"≤ {target:g}× {mark(ratio <= target)}" if target else ""
            out(
                f"{label if i == 0 else '':<36} {v.label:<10} {p50(r, 'server'):>7.2f} "
                f"{pct(r['server'], 95):>7.2f} {p50(r, 'cpu'):>7.2f} {p50(r, 'trivial_server'):>7.3f} "
                f"{ratio:>6.1f}× {pct(r['server'], 95) / pct(r['trivial_server'], 95):>6.1f}× "
                f"{p50(r, 'cpu') / p50(r, 'trivial_cpu'):>5.0f}×  {goal}"
            )

    out("\n== 3. Client wall time on loopback (new TCP connection per request), ms")
    out(f"{'page':<36} {'':<10} {'p50':>7} {'p95':>7} {'healthz':>7} {'×p50':>7}  target")
    for key, label, _, target in PAGES:
        for i, v in enumerate(vs):
            r = results[v.key][key]
            ratio = p50(r, "wall") / p50(r, "trivial_wall")
            goal = f"≤ {target:g}× {mark(ratio <= target)}" if target else ""
            out(
                f"{label if i == 0 else '':<36} {v.label:<10} {p50(r, 'wall'):>7.2f} "
                f"{pct(r['wall'], 95):>7.2f} {p50(r, 'trivial_wall'):>7.3f} {ratio:>6.1f}×  {goal}"
            )

    out("\n== 4. One strategy's pages with 99 other strategies ÷ Nemuro alone (p50; target ≤ 1.2×)")
    out(f"{'page':<36} {'':<5} {'server ms':>21} {'ratio':>6}  {'cpu ms':>19} {'ratio':>6}")
    scale_ok = {}
    for old in phases(vs):
        small = next(v for v in vs if v.size == "small" and v.old == old)
        large = next(v for v in vs if v.size == "large" and v.old == old)
        ok_all = True
        for key in PER_STRATEGY:
            a, b = p50(results[small.key][key], "server"), p50(results[large.key][key], "server")
            ca, cb = p50(results[small.key][key], "cpu"), p50(results[large.key][key], "cpu")
            ok_all &= b / a <= 1.2
            out(
                f"{label_of(key):<36} {'@base' if old else '':<5} {a:>8.2f} → {b:>8.2f} "
                f"{b / a:>5.2f}×  {ca:>7.2f} → {cb:>7.2f} {cb / ca:>5.2f}×  {mark(b / a <= 1.2)}"
            )
        scale_ok[old] = ok_all

    out("\n== 5. Overview ÷ Django admin's change list of the same 47 indicators (p50)")
    admin_ok = {}
    for key, kind in (("overview", ""), (UNCACHED, "after a write")):
        if kind:
            out(f"  {kind}:")
        for v in vs:
            o, a = results[v.key][key], results[v.key]["admin"]
            ok = p50(o, "server") <= p50(a, "server")
            admin_ok[v.old] = admin_ok.get(v.old, True) and ok
            out(
                f"{v.label:<10} server {p50(o, 'server'):>7.2f} vs {p50(a, 'server'):>7.2f} ms "
                f"{p50(o, 'server') / p50(a, 'server'):>5.2f}×   cpu {p50(o, 'cpu'):>7.2f} vs "
                f"{p50(a, 'cpu'):>7.2f} ms {p50(o, 'cpu') / p50(a, 'cpu'):>5.2f}×  "
                f"target ≤ 1× {mark(ok)}"
            )

    import_ratio = {}
    for old, imp in sorted(imports.items(), reverse=True):
        out(
            f"\n== 6. Excel import of {imp['rows']:,} actuals ÷ openpyxl reading the same file"
            + (f" — baseline {baseline_label}" if old else "")
        )
        o = statistics.median(imp["openpyxl"])
        ph = {k: statistics.median(v) for k, v in imp["phases"].items()}
        total = sum(ph.values())
        import_ratio[old] = total / o
        lifted = imp["limit"] < imp["rows"]
        out(
            f"file {imp['file_bytes'] / 1024:.0f} KiB; the importer accepts at most "
            f"{imp['limit']:,} rows (layout.MAX_DATA_ROWS)"
            + (", lifted in this process for the measurement" if lifted else "")
        )
        out(f"  template build (kpis/excel/template.py)  {imp['template_seconds']:>7.2f} s")
        out(
            f"  openpyxl load_workbook(read_only) + rows {o:>7.2f} s  (median of {len(imp['openpyxl'])})"
        )
        out(f"  import: upload checks + read_workbook    {ph['read']:>7.2f} s")
        out(f"  import: template check, extract, plan    {ph['preview']:>7.2f} s")
        out(f"  import: commit (plan again + save)       {ph['commit']:>7.2f} s")
        out(
            f"  import total                             {total:>7.2f} s  {total / o:.1f}× openpyxl, "
            f"{imp['queries']:,} SQL queries  target ≤ 3× {mark(total / o <= 3)}"
        )

    out("\n== Targets")
    for old in phases(vs):
        if len(scale_ok) > 1:
            out(f"  baseline {baseline_label}:" if old else "  this checkout:")
        small = next(v for v in vs if v.size == "small" and v.old == old)
        ov = results[small.key]["overview"]
        ratio = p50(ov, "server") / p50(ov, "trivial_server")
        wall_ratio = p50(ov, "wall") / p50(ov, "trivial_wall")
        if not old:
            out(
                f"  {mark(all_same)} every page's SQL query count is the same at Nemuro size and 100×"
            )
        out(
            f"  {mark(ratio <= 5)} overview within 5× the trivial view: {ratio:.0f}× server time, "
            f"{wall_ratio:.0f}× client wall time"
        )
        miss = results[small.key][UNCACHED]
        out(
            f"    (the first request after a write, not cached: "
            f"{p50(miss, 'server') / p50(miss, 'trivial_server'):.0f}× server time, "
            f"{p50(miss, 'wall') / p50(miss, 'trivial_wall'):.0f}× client wall time)"
        )
        shell = results[small.key]["shell"]
        shell_ratio = p50(miss, "server") / p50(shell, "server")
        out(
            f"  {mark(shell_ratio <= SHELL_TARGET)} overview as the first request after a write "
            f"within {SHELL_TARGET:g}× a signed-in page of only the site's shell: "
            f"{shell_ratio:.1f}× server time ({p50(miss, 'server'):.1f} ÷ "
            f"{p50(shell, 'server'):.1f} ms), "
            f"{p50(miss, 'wall') / p50(shell, 'wall'):.1f}× client wall time, "
            f"{p50(miss, 'cpu') / p50(shell, 'cpu'):.1f}× CPU time ({p50(miss, 'cpu'):.1f} ÷ "
            f"{p50(shell, 'cpu'):.1f} ms)"
        )
        out(
            f"  {mark(admin_ok[old])} overview no slower than the admin change list "
            "(both sizes, cached and after a write)"
        )
        out(f"  {mark(scale_ok[old])} 100× data at most 1.2× slower for one strategy's pages")
        if old in import_ratio:
            ok = import_ratio[old] <= 3
            out(f"  {mark(ok)} import within 3× of openpyxl's read: {import_ratio[old]:.1f}×")
    return "\n".join(lines)


# --- page weight and chart time in Chromium (scripts/bench_weight.py) ----------------------------


def browser_section(database_url, info, baseline=None):
    """Each main page's transferred bytes and the indicator page's chart time, measured in
    Chromium against a gunicorn serving compressed, hashed static files (Nemuro's database); with
    a baseline, its code is served and measured beside this code's."""
    import bench_weight

    small = info["small"]
    lines = bench_weight.run(
        child_env(database_url),
        small["urls"],
        small["sessions"],
        baseline=baseline,
        baseline_env=child_env(database_url, baseline[1]) if baseline else None,
    )
    return "\n".join(lines)


# --- main --------------------------------------------------------------------------------------


def child(worker, database_url, app_root, *args):
    out, _ = run(
        [PY, __file__, worker, "--database-url", database_url, *args],
        child_env(database_url, app_root),
        cwd=app_root,
    )
    return json.loads(out.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description="KPI tracker benchmark (see docs/benchmarks.md)")
    parser.add_argument(
        "worker", nargs="?", choices=["_pages", "_import", "_profile", "_strategy_workbook"]
    )
    parser.add_argument(
        "--only",
        choices=["strategy-workbook"],
        help="one section: strategy-workbook = a workbook of --kpis KPIs imported as a strategy",
    )
    parser.add_argument("--kpis", type=int, default=WORKBOOK_KPIS)
    parser.add_argument("--database-url")
    parser.add_argument("--requests", type=int, default=40, help="samples per page and server")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="keep the databases of a past run")
    parser.add_argument("--rows", type=int, default=IMPORT_ROWS)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", nargs="?", const="overview", help="page key or 'import'")
    parser.add_argument("--size", choices=["small", "large"], default="large")
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument(
        "--skip-browser", action="store_true", help="no page weight / chart time (Chromium)"
    )
    parser.add_argument(
        "--baseline",
        metavar="REF",
        help="also serve and import with the code of this git commit (before/after, one run)",
    )
    args = parser.parse_args(argv)

    if args.worker == "_pages":
        return worker_pages(args)
    if args.worker == "_import":
        return worker_import(args)
    if args.worker == "_profile":
        return worker_profile(args)
    if args.worker == "_strategy_workbook":
        return worker_strategy_workbook(args)

    base = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL
    if args.only == "strategy-workbook":
        return strategy_workbook_section(base, args)
    started = time.perf_counter()
    load_before = f"{os.getloadavg()[0]:.2f}"
    print(f"== setup ({'reusing' if args.reuse else 'creating'} the benchmark databases)")
    if not args.reuse:
        prepare(base)
    urls = {key: db_url(base, name) for key, name in DATABASES.items()}

    baseline = baseline_tree(args.baseline) if args.baseline else None
    root = baseline[1] if baseline else ROOT  # --profile --baseline profiles the old code
    if args.profile:
        worker = "_import" if args.profile == "import" else "_profile"
        db = urls["import"] if args.profile == "import" else urls[args.size]
        cmd = [PY, __file__, worker, "--database-url", db, "--profile", args.profile]
        cmd += ["--repeat", "1" if args.profile == "import" else "20"]
        return subprocess.run(cmd, cwd=root, env=child_env(db, root), text=True).returncode

    vs = variants(baseline)
    info = {v.key: child("_pages", urls[v.size], v.root) for v in vs}
    imports = {}
    if not args.skip_import:
        for old in phases(vs):
            print(
                f"== Excel import of {args.rows:,} rows ({args.repeat} times, rolled back)"
                + (f" — baseline {baseline[0]}" if old else "")
            )
            imports[old] = child(
                "_import",
                urls["import"],
                baseline[1] if old else ROOT,
                "--rows",
                str(args.rows),
                "--repeat",
                str(args.repeat),
            )

    servers = [Server(v, urls[v.size]) for v in vs]
    writers = {size: Writer(urls[size]) for size in {v.size for v in vs}}
    try:
        for s in servers:
            s.wait()
        print(
            f"== measuring: {args.warmup} warm-up + {args.requests} requests per page on each of "
            f"{len(vs)} servers ({', '.join(v.label for v in vs)}), in turns"
        )
        results = measure(vs, info, args.requests, args.warmup, writers)
    finally:
        for s in servers:
            s.stop()
        for w in writers.values():
            w.close()
    same = len({info[v.key]["tbody"] for v in vs}) == 1
    if baseline:
        print(f"\n== the overview's and the table's rows are the same HTML in both: {mark(same)}")
    print(report(vs, info, results, imports, args.requests, baseline[0] if baseline else ""))
    print(
        f"\n(bench finished in {time.perf_counter() - started:.0f} s; load average before "
        f"{load_before}, after {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores)"
    )
    if not args.skip_import:
        strategy_workbook_section(base, args)
    if not args.skip_browser:
        print(browser_section(urls["small"], info, baseline))
    if not same:  # timings of pages that differ compare nothing
        print("the baseline renders different table rows: the comparison is not valid")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
