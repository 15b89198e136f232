"""`make loadtest`: simulated clerks and council members against gunicorn + PostgreSQL, on
loopback only, for a bounded time; then every acknowledged save is looked up in the database.

    .venv/bin/python scripts/loadtest.py                      # 50 users for 60 s
    .venv/bin/python scripts/loadtest.py --users 10 --seconds 5   # the short run of the test suite

- Clerks (70 %) each own one indicator of FY2024 in their department: they open the entry page,
  read the CSRF token and the row's version, and save a new value (a draft) — an acknowledged save
  is the 302 back to the entry page. Two of them are a deliberate conflicting pair: they share one
  indicator, open the page together and save together, so one wins and the other must be told
  (StaleEdit: the page again, HTTP 200, with 「画面を開いた後に…」), which is not an error.
- Council members (30 %) browse: the overview, a filtered table, goal and indicator pages, the
  review pack.
- Each user waits a random think time (0–2×--think s) between requests.
- Meanwhile a hostile clerk uploads three upload bombs (tests/security/bombs.py: a far cell, 808k
  empty rows, 750k shared strings) to the Excel import, one after the other from a fifth of the
  run on. Each must get its Japanese refusal (HTTP 200 with the message, not a 500); the other
  users must see no error and no request over --max-ms (5 s).

Errors are transport failures, HTTP statuses other than the expected ones and a save answered
with anything but the redirect or the stale-edit message. Afterwards each acknowledged save must be
in the audit trail (a history row with its indicator, version, value and user) and each
indicator's current value must be its last acknowledged save: "lost writes" counts those that are
not. Exit status 1 when there were errors or lost writes.

The database (default nemuro_loadtest next to BENCH_DATABASE_URL's) is recreated: migrations,
Nemuro's strategy with synthetic departments and actuals (scripts/synthetic.py), the test accounts.
Requests go to 127.0.0.1 only."""

import argparse
import http.client
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402  (the database and server helpers)

ROOT = bench.ROOT
PY = bench.PY
FISCAL_YEAR = 2024
STALE = "画面を開いた後に"
REFUSED = re.compile("入力用の範囲を大きく超えるセル|展開後のサイズが大きすぎる")
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


# --- setup (child process with Django) ---------------------------------------------------------


def worker_setup(args):
    """Clerk and council accounts with sessions; print the plan as JSON."""
    bench._django(args)
    from django.contrib.auth.models import Group, User
    from django.urls import reverse

    from kpis.models import Department, Indicator, Strategy

    strategy = Strategy.objects.get(code=bench.STRATEGY)
    clerks, council = args.clerks, args.council
    groups = {g.name: g for g in Group.objects.all()}
    indicators = list(
        Indicator.objects.for_strategy(strategy).select_related("department").order_by("pk")
    )
    departments = {d.pk: d for d in Department.objects.filter(indicators__in=indicators)}
    plan = []
    # Own indicators for all clerks but the last two, who share one (the conflicting pair).
    slots = indicators[: max(clerks - 1, 1)]
    for i in range(clerks):
        ind = slots[min(i, len(slots) - 1)] if i < clerks - 1 else slots[-1]
        user, _ = User.objects.get_or_create(
            username=f"loadtest-clerk-{i:02d}",
            defaults={"last_name": f"【合成データ】負荷試験 入力担当{i:02d}", "password": "!"},
        )
        user.groups.set([groups["入力担当"]])
        departments[ind.department_id].members.add(user)
        plan.append(
            {
                "role": "clerk",
                "username": user.username,
                "user_id": user.pk,
                "indicator": ind.pk,
                "pair": clerks >= 3 and i >= clerks - 2,
                "url": reverse("entry", args=[strategy.code, FISCAL_YEAR, ind.department_id]),
            }
        )
    for i in range(council):
        user, _ = User.objects.get_or_create(
            username=f"loadtest-council-{i:02d}",
            defaults={"last_name": f"【合成データ】負荷試験 有識者{i:02d}", "password": "!"},
        )
        user.groups.set([groups["有識者"]])
        plan.append({"role": "council", "username": user.username, "user_id": user.pk})
    hostile, _ = User.objects.get_or_create(
        username="loadtest-hostile",
        defaults={"last_name": "【合成データ】負荷試験 不正ファイル", "password": "!"},
    )
    hostile.groups.set([groups["入力担当"]])
    departments[indicators[0].department_id].members.add(hostile)
    where = [strategy.code, FISCAL_YEAR, indicators[0].department_id]
    keys = _sessions([p["user_id"] for p in plan] + [hostile.pk])
    for p in plan:
        p["session"] = keys[p["user_id"]]
    overview = reverse("dashboard_overview", args=[strategy.code])
    browse = [
        overview,
        f"{overview}?year=2022&sort=-progress",
        reverse("dashboard_goal", args=[strategy.code, 1]),
        reverse("review_pack", args=[strategy.code, 2022]),
    ] + [reverse("dashboard_indicator", args=[strategy.code, i.pk]) for i in indicators[::6]]
    upload = {
        "session": keys[hostile.pk],
        "entry": reverse("entry", args=where),
        "template": reverse("excel_template", args=where),
        "import": reverse("excel_import", args=where),
    }
    print(json.dumps({"users": plan, "browse": browse, "hostile": upload}))


def _sessions(user_ids):
    from django.contrib.auth.models import User

    users = User.objects.filter(pk__in=user_ids)
    return {user.pk: key for user, key in bench.session_keys(users).items()}


def prepare(base, database_url):
    conn = bench.admin_connection(base)
    bench.recreate(conn, database_url.rsplit("/", 1)[1])
    conn.close()
    env = bench.child_env(database_url)
    bench.run([PY, "manage.py", "migrate", "--noinput"], env)
    bench.run([PY, "scripts/synthetic.py", "nemuro", "--database-url", database_url], env)


# --- the simulated users -------------------------------------------------------------------


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.samples = []  # (kind, ms)
        self.errors = []  # (kind, what)
        self.acks = []  # (user_id, indicator, version saved, value)
        self.stale = 0
        self.hostile = []  # (bomb, KB, status, refused, ms)

    def add(self, kind, ms):
        with self.lock:
            self.samples.append((kind, ms))

    def error(self, kind, what):
        with self.lock:
            self.errors.append((kind, what))


def request(port, method, path, cookies, body=None, timeout=30, content_type=None, raw=False):
    """(status, text, ms) on a fresh connection to 127.0.0.1 (bytes instead of text if raw)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    if body is not None:
        headers["Content-Type"] = content_type or "application/x-www-form-urlencoded"
    t = time.perf_counter()
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read()
        text = text if raw else text.decode("utf-8", "replace")
    finally:
        conn.close()
    ms = (time.perf_counter() - t) * 1000
    for header, value in response.getheaders():
        if header.lower() == "set-cookie" and value.startswith("csrftoken="):
            cookies["csrftoken"] = value.split(";", 1)[0].split("=", 1)[1]
    return response.status, text, ms


def _think(rng, mean):
    time.sleep(rng.uniform(0, 2 * mean))


def clerk(user, port, stats, deadline, think, barrier, seed):
    rng = random.Random(seed)
    cookies = {"sessionid": user["session"]}
    prefix = f"i{user['indicator']}"
    version_re = re.compile(rf'name="{prefix}-version" value="(\d+)"')
    n = 0
    while time.monotonic() < deadline:
        try:
            status, text, ms = request(port, "GET", user["url"], cookies)
            stats.add("clerk GET entry", ms)
            if status != 200:
                stats.error("clerk GET entry", f"HTTP {status}")
                _think(rng, think)
                continue
            token, version = TOKEN.search(text), version_re.search(text)
            if not token or not version:
                stats.error("clerk GET entry", "no form / no row for the indicator")
                continue
            n += 1
            value = f"{rng.randint(1, 99)}.{n:04d}"  # unique per save of this clerk
            form = {
                "csrfmiddlewaretoken": token.group(1),
                "action": "save",
                f"{prefix}-value": value,
                f"{prefix}-version": version.group(1),
                f"{prefix}-data_source": "【合成データ】負荷試験",
                f"{prefix}-note": f"【合成データ】負荷試験の保存 {n}",
                f"{prefix}-confirm_outlier": "on",  # harmless when the change is not large
            }
            if barrier is not None:
                try:
                    barrier.wait(timeout=max(deadline - time.monotonic(), 0.1) + 5)
                except threading.BrokenBarrierError:
                    break
            status, text, ms = request(port, "POST", user["url"], cookies, urlencode(form))
            stats.add("clerk POST save", ms)
            if status == 302:
                with stats.lock:
                    stats.acks.append(
                        (user["user_id"], user["indicator"], int(version.group(1)) + 1, value)
                    )
            elif status == 200 and STALE in text:
                with stats.lock:
                    stats.stale += 1
            else:
                stats.error("clerk POST save", f"HTTP {status}")
        except Exception as e:  # noqa: BLE001 - any failure of a request is an error to count
            stats.error("clerk", repr(e)[:120])
        _think(rng, think)
    if barrier is not None:
        barrier.abort()  # the partner is not left waiting


def council(user, port, stats, deadline, think, browse, seed):
    rng = random.Random(seed)
    cookies = {"sessionid": user["session"]}
    while time.monotonic() < deadline:
        path = rng.choice(browse)
        try:
            status, _, ms = request(port, "GET", path, cookies)
            stats.add("council GET", ms)
            if status != 200:
                stats.error("council GET", f"HTTP {status} {path}")
        except Exception as e:  # noqa: BLE001
            stats.error("council GET", repr(e)[:120])
        _think(rng, think)


def build_bombs(port, upload):
    """The three bombs, built from the department's real template (before the clock starts)."""
    sys.path.insert(0, str(ROOT))
    from tests.security.bombs import BOMBS

    cookies = {"sessionid": upload["session"]}
    status, template, _ = request(port, "GET", upload["template"], cookies, timeout=60, raw=True)
    if status != 200:
        raise SystemExit(f"template download answered HTTP {status}")
    names = ["far-cell-XFD1048576", "808k-empty-rows", "750k-shared-strings"]
    return [(name, BOMBS[name](template)) for name in names]


def _multipart(fields, filename, content):
    boundary = f"loadtest{random.getrandbits(64):x}"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        f"Content-Type: application/octet-stream\r\n\r\n".encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def hostile(upload, bombs, port, stats, start_at):
    """Posts each bomb to the import preview; each must be refused in Japanese (not a 500)."""
    time.sleep(max(start_at - time.monotonic(), 0))
    cookies = {"sessionid": upload["session"]}
    for name, content in bombs:
        try:
            status, text, _ = request(port, "GET", upload["entry"], cookies)
            token = TOKEN.search(text)
            fields = {"csrfmiddlewaretoken": token.group(1) if token else "", "preview": "1"}
            body, content_type = _multipart(fields, "bomb.xlsx", content)
            status, text, ms = request(
                port, "POST", upload["import"], cookies, body, 60, content_type
            )
            refused = status == 200 and bool(REFUSED.search(text))
        except Exception as e:  # noqa: BLE001 - a transport failure is a failed refusal
            status, refused, ms = repr(e)[:80], False, float("nan")
        with stats.lock:
            stats.hostile.append((name, len(content) / 1024, status, refused, ms))


# --- verification ----------------------------------------------------------------------------


def verify(database_url, acks):
    """Lost writes: acknowledged saves missing from the audit trail, and indicators whose current
    value is not their last acknowledged save."""
    import psycopg2

    conn = psycopg2.connect(database_url)
    with conn.cursor() as c:
        c.execute(
            "SELECT indicator_id, version, value, history_user_id FROM kpis_historicalactual "
            "WHERE fiscal_year = %s",
            [FISCAL_YEAR],
        )
        history = {(i, v, u): val for i, v, val, u in c.fetchall()}
        c.execute(
            "SELECT indicator_id, version, value FROM kpis_actual WHERE fiscal_year = %s",
            [FISCAL_YEAR],
        )
        current = {i: (v, val) for i, v, val in c.fetchall()}
    conn.close()
    lost = []
    last = {}
    for user_id, indicator, version, value in acks:
        stored = history.get((indicator, version, user_id))
        if stored is None or stored != Decimal(value):
            lost.append((indicator, version, value, "not in the audit trail"))
        if version > last.get(indicator, (0, None))[0]:
            last[indicator] = (version, value)
    for indicator, (version, value) in last.items():
        if current.get(indicator) != (version, Decimal(value)):
            lost.append((indicator, version, value, f"current is {current.get(indicator)}"))
    return lost


def warm(plan, port, workers):
    """Every worker loads its templates and connections before the clock starts (not counted)."""
    users = {u["role"]: u for u in plan["users"]}
    paths = [(users["council"], p) for p in plan["browse"]] if "council" in users else []
    paths += [(u, u["url"]) for u in plan["users"] if u["role"] == "clerk"][:3]
    for _ in range(workers):
        for user, path in paths:
            request(port, "GET", path, {"sessionid": user["session"]}, timeout=60)


def pct(values, p):
    return bench.pct(values, p) if values else float("nan")


def main(argv=None):
    parser = argparse.ArgumentParser(description="load test (see docs/benchmarks.md)")
    parser.add_argument("worker", nargs="?", choices=["_setup"])
    parser.add_argument("--database-url")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=0.25, help="mean think time (s)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8711)
    parser.add_argument("--reuse", action="store_true", help="keep the database of a past run")
    parser.add_argument("--clerks", type=int)
    parser.add_argument("--council", type=int)
    parser.add_argument("--max-ms", type=float, default=5000, help="slowest request allowed")
    parser.add_argument("--no-bombs", action="store_true", help="no hostile uploads")
    args = parser.parse_args(argv)
    if args.worker == "_setup":
        return worker_setup(args)
    if not 1 <= args.users <= 200 or not 0 < args.seconds <= 600:
        parser.error("--users 1–200 and --seconds up to 600: the test is bounded")

    base = os.environ.get("BENCH_DATABASE_URL") or bench.DEFAULT_URL
    database_url = args.database_url or bench.db_url(base, "nemuro_loadtest")
    clerks = min(max(1, round(args.users * 0.7)), 48)  # Nemuro has 47 indicators to own
    councils = args.users - clerks
    started = time.perf_counter()
    if not args.reuse:
        prepare(base, database_url)
    out, _ = bench.run(
        [
            PY,
            __file__,
            "_setup",
            "--database-url",
            database_url,
            "--clerks",
            str(clerks),
            "--council",
            str(councils),
        ],
        bench.child_env(database_url),
    )
    plan = json.loads(out.strip().splitlines()[-1])
    print(
        f"== load test: {clerks} clerks (2 of them a conflicting pair) and {councils} council "
        f"members for {args.seconds:g} s against gunicorn ({args.workers} workers) + PostgreSQL "
        f"on 127.0.0.1:{args.port} (setup {time.perf_counter() - started:.0f} s)"
    )

    server = LoadServer(database_url, args.port, args.workers)
    stats = Stats()
    try:
        server.wait()
        warm(plan, args.port, args.workers)
        bombs = [] if args.no_bombs else build_bombs(args.port, plan["hostile"])
        deadline = time.monotonic() + args.seconds
        barrier = threading.Barrier(2)
        threads = []
        for i, user in enumerate(plan["users"]):
            if user["role"] == "clerk":
                target, extra = clerk, (barrier if user["pair"] else None,)
            else:
                target, extra = council, (plan["browse"],)
            threads.append(
                threading.Thread(
                    target=target,
                    args=(user, args.port, stats, deadline, args.think, *extra, i),
                    daemon=True,
                )
            )
        if bombs:
            start_at = time.monotonic() + args.seconds / 5
            threads.append(
                threading.Thread(
                    target=hostile,
                    args=(plan["hostile"], bombs, args.port, stats, start_at),
                    daemon=True,
                )
            )
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=args.seconds + 60)
        elapsed = time.perf_counter() - t0
        alive = sum(t.is_alive() for t in threads)
    finally:
        server.stop()

    lost = verify(database_url, stats.acks)
    kinds = sorted({k for k, _ in stats.samples})
    total = len(stats.samples)
    print(f"{'requests':<22} {'count':>7} {'per s':>7} {'p50 ms':>8} {'p99 ms':>8}")
    for kind in kinds + ["all"]:
        ms = [m for k, m in stats.samples if kind in ("all", k)]
        print(
            f"{kind:<22} {len(ms):>7} {len(ms) / elapsed:>7.1f} {pct(ms, 50):>8.1f} {pct(ms, 99):>8.1f}"
        )
    print(f"elapsed {elapsed:.1f} s, {total} requests, {total / elapsed:.1f} requests/s")
    print(
        f"acknowledged saves: {len(stats.acks)}; stale edits told to the conflicting pair: {stats.stale}"
    )
    print(
        f"errors: {len(stats.errors)}" + (f" (first: {stats.errors[:3]})" if stats.errors else "")
    )
    print(f"lost writes: {len(lost)}" + (f" (first: {lost[:3]})" if lost else ""))
    slow = [(k, round(m)) for k, m in stats.samples if m > args.max_ms]
    print(
        f"slowest request: {max((m for _, m in stats.samples), default=0):.0f} ms; "
        f"requests over {args.max_ms:.0f} ms: {len(slow)}" + (f" ({slow[:3]})" if slow else "")
    )
    for name, kb, status, refused, ms in stats.hostile:
        print(
            f"hostile upload {name} ({kb:.0f} KB): HTTP {status}, {ms:.0f} ms, "
            + ("refused in Japanese" if refused else "NOT REFUSED")
        )
    refusals = sum(r for *_, r, _ in stats.hostile)
    if bombs:
        print(f"hostile uploads refused: {refusals}/{len(bombs)}")
    if alive:
        print(f"{alive} user threads did not stop in time")
    ok = not stats.errors and not lost and not alive and stats.acks and not slow
    ok = ok and refusals == len(bombs)
    print("RESULT:", "OK" if ok else "FAILED")
    return 0 if ok else 1


class LoadServer(bench.Server):
    def __init__(self, database_url, port, workers):
        import tempfile

        self.key, self.port = "loadtest", port
        self.log = tempfile.NamedTemporaryFile(prefix="loadtest-gunicorn-", suffix=".log")
        self.proc = subprocess.Popen(
            [
                str(Path(PY).with_name("gunicorn")),
                "nemuro_strategy.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--timeout",
                "60",
                "--backlog",
                "256",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=bench.child_env(database_url),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


if __name__ == "__main__":
    sys.exit(main())
