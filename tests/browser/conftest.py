"""End-to-end tests: Playwright (sync API) drives Debian's Chromium against pytest-django's live server.

Switches (environment variables):
  CHROMIUM_PATH=/path    the browser to drive (default /usr/bin/chromium; Playwright never
                         downloads one). Point it at a missing file to try the skip path.
  REQUIRE_BROWSER=1      a missing browser (or Playwright) is an error, not a skip (.ci/run sets it).

Every test in this folder gets the `browser` marker, so `pytest -m "not browser"` leaves them out.
The live server runs on a transactional database that is flushed after each test: each test loads
the strategy and creates its accounts through the `accounts` fixture.
"""

import os
import re
import warnings
from pathlib import Path

import pytest

BROWSER_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BROWSER_DIR.parent.parent
ARTIFACTS_DIR = PROJECT_DIR / "artifacts"  # gitignored
SCREENSHOT_DIR = ARTIFACTS_DIR / "screenshots"
AXE_JS = BROWSER_DIR / "vendor" / "axe.min.js"

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER", "") in ("1", "true", "yes")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"width": 1280, "height": 900}
TABLET = {"width": 768, "height": 1024}
PASSWORD = "e2e-pass-根室-2021"
CLERK_CODES_PREFIX = "1-ア-1-"  # the clerk's department enters the 1-ア-1-* KPIs (fisheries)
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _missing():
    """What is missing to run the browser tests, or None."""
    if not os.path.isfile(CHROMIUM_PATH) or not os.access(CHROMIUM_PATH, os.X_OK):
        return f"Chromium ({CHROMIUM_PATH})"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright（Python パッケージ）"
    return None


def _skip_reason(missing):
    return f"{missing} がないためブラウザテストをスキップします"


def _is_browser_test(item):
    return BROWSER_DIR in Path(str(item.path)).resolve().parents


@pytest.hookimpl(tryfirst=True)  # before `-m "not browser"` deselects by marker
def pytest_collection_modifyitems(config, items):
    missing = _missing()
    for item in items:
        if not _is_browser_test(item):
            continue
        item.add_marker(pytest.mark.browser)
        if missing and not REQUIRE_BROWSER:
            item.add_marker(pytest.mark.skip(reason=_skip_reason(missing)))


def pytest_terminal_summary(terminalreporter, config):
    # Counted from the reports, not at collection: with pytest-xdist (make test) the workers
    # collect and skip, and only the reports reach the process that prints the summary.
    missing = _missing()
    if not missing or REQUIRE_BROWSER:
        return
    reason = _skip_reason(missing)
    count = sum(reason in str(r.longrepr) for r in terminalreporter.stats.get("skipped", []))
    if not count:
        return
    terminalreporter.write_sep("!", "ブラウザテスト", yellow=True, bold=True)
    terminalreporter.write_line(f"{reason}（{count}件）。", yellow=True)
    terminalreporter.write_line(
        "Debian: apt-get install chromium fonts-ipaexfont-gothic ／ 別の場所のブラウザは "
        "CHROMIUM_PATH=… ／ CI では REQUIRE_BROWSER=1 でスキップせず失敗にします。",
        yellow=True,
    )


# -- browser -------------------------------------------------------------------------------------


# Package scope: Playwright stops after the last browser test (pytest-django runs live_server
# tests after the other database tests), so no later test shares the main thread with its loop.
@pytest.fixture(scope="package")
def _playwright():
    missing = _missing()
    if missing:  # only reached with REQUIRE_BROWSER=1: otherwise the tests were skipped already
        pytest.fail(
            f"{missing} がありません。REQUIRE_BROWSER=1 のため、スキップせず失敗にします"
            "（Debian: apt-get install chromium fonts-ipaexfont-gothic、または CHROMIUM_PATH=…）。",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="package")
def browser(_playwright):
    browser = _playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(scope="package", autouse=True)
def _orm_beside_playwright():
    """Playwright's sync API keeps an asyncio loop running on the main thread, so Django's ORM
    would refuse to run in the tests and fixtures ("You cannot call this from an async context").
    Allowed while the browser tests run only (set before the first, removed after the last one's
    database flush): never in the environment of later tests or their subprocesses
    (manage.py check --deploy rejects the variable)."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_page(browser, live_server):
    """A factory: new_page(viewport=…) opens a fresh context (own cookies) on the live server."""
    contexts = []

    def make(viewport=DESKTOP):
        context = browser.new_context(
            base_url=live_server.url, viewport=viewport, locale="ja-JP", timezone_id="Asia/Tokyo"
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page(DESKTOP)


@pytest.fixture
def tablet_page(new_page):
    return new_page(TABLET)


# -- data ----------------------------------------------------------------------------------------


@pytest.fixture
def strategy(live_server):
    """The strategy, loaded again for each test (the live server's database is flushed after each)."""
    from front.loading import load_strategy
    from kpis.models import Strategy

    load_strategy()
    return Strategy.objects.get(code="nemuro-2")


@pytest.fixture
def accounts(strategy, settings):
    """Demo-like accounts, all with password PASSWORD: username → User.

    clerk (入力担当, 水産振興課 with the 1-ア-1-* KPIs), secretariat (事務局), council (有識者),
    admin (管理者, staff), outsider (no role)."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group, User

    from kpis import roles
    from kpis.models import Department, Indicator

    # The real hasher is slow on purpose (~0.4 s a login); the live server runs in this process,
    # so the override reaches it. The login form and session are unchanged.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    password_hash = make_password(PASSWORD)

    department = Department.objects.create(name="水産振興課")
    Indicator.objects.for_strategy(strategy).filter(code__startswith=CLERK_CODES_PREFIX).update(
        department=department
    )
    spec = [
        ("clerk", "入力 花子", roles.CLERK),
        ("secretariat", "総合 政策", roles.SECRETARIAT),
        ("council", "有識 太郎", roles.COUNCIL),
        ("admin", "管理 者", roles.ADMINISTRATOR),
        ("outsider", "部外 者", None),
    ]
    users = {}
    for username, full_name, role in spec:
        user = User.objects.create(
            username=username,
            last_name=full_name,
            password=password_hash,
            is_staff=role == roles.ADMINISTRATOR,
        )
        if role:
            user.groups.add(Group.objects.get_or_create(name=role)[0])
        users[username] = user
    department.members.add(users["clerk"])
    users["clerk"].department = department  # for the tests' convenience
    return users


# -- helpers -------------------------------------------------------------------------------------


def _login(page, username, password=PASSWORD, *, expect_success=True):
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    if expect_success:
        assert "/login/" not in page.url, f"{username} はログインできませんでした: {page.url}"
    return page


@pytest.fixture
def login():
    """login(page, username, password=PASSWORD): signs in through the real login form.
    The accounts come from the `accounts` fixture (or the test itself)."""
    return _login


def _shot(page, name):
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.jpg"
    # JPEG: a full-page PNG of a long page took Chromium about as long as loading it, and the
    # screenshots were more than half the browser tests' time (a third now, half the size)
    page.screenshot(path=str(path), full_page=True, type="jpeg", quality=80)
    return path


@pytest.fixture
def shot():
    """shot(page, name): a full-page JPEG at artifacts/screenshots/<name>.jpg."""
    return _shot


@pytest.fixture(scope="session")
def _axe_source():
    return AXE_JS.read_text(encoding="utf-8")


AXE_RUN = """async ([tags, known]) => {
  const r = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"], elementRef: true});
  return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary || "",
      known: !!(known[v.id] && n.element && n.element.matches(known[v.id]))}))}));
}"""


@pytest.fixture
def assert_accessible(_axe_source):
    """assert_accessible(page, name, known=None): axe-core (WCAG 2.0/2.1 A+AA) finds no serious or
    critical violation. `known` ({rule id: (CSS selector, reason)}) tolerates listed rules on listed
    nodes, with a warning; no page needs it today.

    The script goes in with page.evaluate (a DevTools evaluation): unlike add_script_tag it is not
    subject to the page's Content-Security-Policy. Minor/moderate findings are printed only."""

    def check(page, name, known=None):
        known = known or {}
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(_axe_source)
        violations = page.evaluate(AXE_RUN, [AXE_TAGS, {k: v[0] for k, v in known.items()}])
        failing, tolerated = [], []
        for v in violations:
            text = f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})\n" + "\n".join(
                f"    {n['target']} — {_one_line(n['summary'])}" for n in v["nodes"]
            )
            if v["impact"] not in ("serious", "critical"):
                print(f"axe {name} (not failing): {text}")
            elif v["id"] in known and all(n["known"] for n in v["nodes"]):
                tolerated.append(f"{text}\n    既知の問題: {known[v['id']][1]}")
            else:
                failing.append(text)
        for text in tolerated:
            warnings.warn(f"axe {name}: 既知の問題として許容: {text}", AxeKnownIssue, stacklevel=2)
        assert not failing, f"axe found accessibility violations on {name} ({page.url}):\n" + (
            "\n".join(failing)
        )

    return check


class AxeKnownIssue(UserWarning):
    """A serious axe finding tolerated by `known=`: shown in pytest's warnings summary."""


def _one_line(text):
    return re.sub(r"\s+", " ", text).strip()[:300]
