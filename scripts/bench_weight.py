"""Page weight and chart time, from Chromium, for `make bench` (scripts/bench.py calls run()).

Production-like static files: collectstatic with whitenoise's CompressedManifestStaticFilesStorage
into a temporary STATIC_ROOT, served by a gunicorn of its own (STATIC_MANIFEST=1), so the bytes
are what a browser on the city's network receives (gzip or brotli, hashed names).

1. Weight: every main page opened in a fresh browser context (empty cache), as the role that uses
   it; the transferred bytes (Playwright's request.sizes(): encoded body + headers) summed by
   kind. Target: JavaScript + CSS ≤ 1 MB compressed on every page.
2. Chart time: the indicator page, time from navigation start until the plotly chart is drawn
   (#indicator-chart gets .is-drawn, recorded by a MutationObserver), against the same page
   without a chart (the plotly bundle blocked: the page shows its table fallback), time until its
   load event. The two alternate, N times each, in the same browser. Target: ≤ 2×.

With --baseline REF the same is measured, in the same run, against the code of an older commit
(its own collectstatic and gunicorn, the same database): before/after side by side, the loads of
the two alternating so the machine's load falls on both alike.

    .venv/bin/python scripts/bench_weight.py --database-url postgres://…/nemuro_bench_small
    .venv/bin/python scripts/bench_weight.py --database-url … --baseline HEAD~3 --repeat 7
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
PORT = 8711
JS_CSS_BUDGET = 1_000_000
CHART_RATIO_TARGET = 2.0

# (key, label, user): the page keys of scripts/bench.py's page_urls() plus three more.
WEIGHT_PAGES = [
    ("overview", "ダッシュボード（概要）", "bench-council"),
    ("indicator", "指標のページ（グラフ）", "bench-council"),
    ("review", "効果検証資料", "bench-council"),
    ("strategy", "総合戦略", "bench-council"),
    ("population", "人口ビジョン（グラフ）", "bench-council"),
    ("entry", "実績入力", "bench-clerk"),
    ("status", "進捗状況（事務局）", "bench-admin"),
]

DRAWN_OBSERVER = """
window.__chartDrawn = null;
new MutationObserver((_, obs) => {
  const el = document.querySelector("#indicator-chart.is-drawn .main-svg");
  if (el && window.__chartDrawn === null) { window.__chartDrawn = performance.now(); obs.disconnect(); }
}).observe(document, {subtree: true, childList: true, attributes: true, attributeFilter: ["class"]});
"""


def _pad(text, width):
    """Left-align by display width: a kanji takes two columns in a terminal."""
    shown = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(width - shown, 0)


def _kind(request):
    t = request.resource_type
    if t in ("script", "stylesheet", "document", "image", "font"):
        return t
    return "other"


def collect_static(env, app_root=ROOT):
    """collectstatic (hashed + compressed) into a temporary STATIC_ROOT; returns its path."""
    root = Path(tempfile.mkdtemp(prefix="bench-static-"))
    env = dict(env, STATIC_MANIFEST="1", STATIC_ROOT=str(root))
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=app_root,
        env=env,
        check=True,
    )
    return root


def start_server(env, static_root, app_root=ROOT, port=PORT):
    env = dict(env, STATIC_MANIFEST="1", STATIC_ROOT=str(static_root))
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "nemuro_strategy.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=app_root,
        env=env,
        start_new_session=True,
    )
    import http.client

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", "/healthz")
            if c.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("bench_weight: gunicorn did not answer")


def weigh(browser, base, url, session):
    """{kind: bytes transferred} of one cold page load (fresh context: empty cache)."""
    context = browser.new_context(base_url=base)
    context.add_cookies([{"name": "sessionid", "value": session, "url": base}])
    page = context.new_page()
    requests = []
    page.on("requestfinished", lambda r: requests.append(r))
    response = page.goto(url, wait_until="load")
    if response.status != 200:
        raise SystemExit(f"bench_weight: {url} HTTP {response.status}")
    page.wait_for_timeout(300)  # late requests (favicon)
    sizes = {}
    for r in requests:
        s = r.sizes()
        sizes[_kind(r)] = sizes.get(_kind(r), 0) + s["responseBodySize"] + s["responseHeadersSize"]
    context.close()
    return sizes


def _open(browser, base, session, *, with_chart):
    context = browser.new_context(base_url=base)
    context.add_cookies([{"name": "sessionid", "value": session, "url": base}])
    page = context.new_page()
    if with_chart:
        page.add_init_script(DRAWN_OBSERVER)
    else:
        page.route("**/vendor/plotly/**", lambda route: route.abort())
    return context, page


def _load(page, url, *, with_chart):
    """ms from navigation start until the chart is drawn (or, without a chart, the load event)."""
    page.goto(url, wait_until="load")
    if with_chart:
        page.wait_for_function("window.__chartDrawn !== null", timeout=30_000)
        return page.evaluate("window.__chartDrawn")
    return page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")


def chart_times(browser, bases, url, session, repeat):
    """{base: {"cold": (chart, plain), "warm": (chart, plain)}} lists of ms. Cold: a fresh context
    (empty cache) per load, a first visit. Warm: the same context again, static files from the
    HTTP cache (hashed names are cached for good) — a clerk or council member coming back. With
    several bases (servers) the loads alternate between them."""
    out = {base: {"cold": ([], []), "warm": ([], [])} for base in bases}
    warm = {
        (base, flag): _open(browser, base, session, with_chart=flag)
        for base in bases
        for flag in (True, False)
    }
    for (_, flag), (_, page) in warm.items():
        _load(page, url, with_chart=flag)  # fills the cache (and the server's)
    for _ in range(repeat):
        for base in bases:
            for flag, index in ((True, 0), (False, 1)):
                context, page = _open(browser, base, session, with_chart=flag)
                out[base]["cold"][index].append(_load(page, url, with_chart=flag))
                context.close()
                out[base]["warm"][index].append(_load(warm[base, flag][1], url, with_chart=flag))
    for context, _ in warm.values():
        context.close()
    return out


def extra_urls(strategy):
    return {
        "strategy": f"/strategies/{strategy}/",
        "population": f"/strategies/{strategy}/population/",
        "status": f"/strategies/{strategy}/status/2022/",
    }


def _load_average():
    return f"{os.getloadavg()[0]:.2f}"


def run(env, urls, sessions, repeat=7, strategy="nemuro-2", baseline=None, baseline_env=None):
    """Measure and return the report's lines. `urls` maps page keys to paths (bench.page_urls()),
    `sessions` usernames to session keys. `baseline`: (label, worktree) of an older commit, served
    with `baseline_env` beside this code and measured in the same run."""
    from playwright.sync_api import sync_playwright

    urls = {**urls, **extra_urls(strategy)}
    # (label, app root, env, port): this code first, then the baseline's.
    servers = [("this code", ROOT, env, PORT)]
    if baseline:
        servers.append((f"baseline {baseline[0]}", baseline[1], baseline_env, PORT + 1))

    load_before = _load_average()
    started = []
    lines = ["", "== page weight and chart time (Chromium, compressed static files)"]
    try:
        for _label, app_root, server_env, port in servers:
            static_root = collect_static(server_env, app_root)
            started.append((start_server(server_env, static_root, app_root, port), static_root))
        bases = {f"http://127.0.0.1:{port}": label for label, _, _, port in servers}
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            for base, label in bases.items():
                lines.append(f"-- {label}: bytes received per page (cold, a fresh context)")
                lines.extend(weight_table(browser, base, urls, sessions))
            times = chart_times(
                browser, list(bases), urls["indicator"], sessions["bench-council"], repeat
            )
            browser.close()
    finally:
        for server, static_root in started:
            server.terminate()
            server.wait(10)
            shutil.rmtree(static_root, ignore_errors=True)
    lines.append(
        f"-- indicator page: chart drawn against the same page without a chart (medians of {repeat})"
    )
    for base, label in bases.items():
        for kind, (chart, plain) in times[base].items():
            c, q = statistics.median(chart), statistics.median(plain)
            ratio = c / q if q else float("inf")
            ok = "✓" if ratio <= CHART_RATIO_TARGET else "✗"
            # Each chart load and the plain load right after it share the machine's load of that
            # moment: the median of these pairs' ratios moves less on a busy machine.
            paired = statistics.median(x / y for x, y in zip(chart, plain, strict=True))
            lines.append(
                f"{_pad(label, 24)} {kind}: chart drawn at {c:5.0f} ms; without a chart loaded at "
                f"{q:5.0f} ms: {ratio:.2f}× (target ≤ {CHART_RATIO_TARGET:.0f}×) {ok}; "
                f"paired {paired:.2f}×   [chart {' '.join(f'{x:.0f}' for x in chart)} | plain "
                f"{' '.join(f'{x:.0f}' for x in plain)}]"
            )
    lines.append(
        f"(load average before {load_before}, after {_load_average()} on {os.cpu_count()} cores)"
    )
    return lines


def weight_table(browser, base, urls, sessions):
    lines = [
        f"{_pad('page', 28)} {'HTML':>9} {'JS':>10} {'CSS':>9} {'other':>9} {'JS+CSS ≤ 1 MB':>15}"
    ]
    for key, label, user in WEIGHT_PAGES:
        w = weigh(browser, base, urls[key], sessions[user])
        js, css = w.get("script", 0), w.get("stylesheet", 0)
        other = sum(v for k, v in w.items() if k not in ("document", "script", "stylesheet"))
        ok = "✓" if js + css <= JS_CSS_BUDGET else "✗"
        lines.append(
            f"{_pad(label, 28)} {w.get('document', 0):>9,} {js:>10,} {css:>9,} {other:>9,} "
            f"{js + css:>13,} {ok}"
        )
    return lines


def main(argv=None):
    """Stand-alone: weigh the pages of an existing benchmark database (see scripts/bench.py)."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import bench  # noqa: PLC0415 - the benchmark's environment and page URLs

    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument(
        "--baseline",
        metavar="REF",
        help="also serve the code of this git commit and measure it in the same run (before/after)",
    )
    args = parser.parse_args(argv)
    env = bench.child_env(args.database_url)
    info = bench.child("_pages", args.database_url, ROOT)
    baseline = bench.baseline_tree(args.baseline) if args.baseline else None
    baseline_env = bench.child_env(args.database_url, baseline[1]) if baseline else None
    lines = run(
        env,
        info["urls"],
        info["sessions"],
        args.repeat,
        baseline=baseline,
        baseline_env=baseline_env,
    )
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
