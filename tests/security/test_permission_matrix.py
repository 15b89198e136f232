"""The permission matrix: every named URL of the URL configuration, every role, GET and POST.

The URL names are read from `get_resolver().url_patterns` (walked recursively), so a new page
cannot be forgotten: test_every_url_has_a_row fails until it has a row in MATRIX below, and a row
whose URL is gone fails too. The methods each view accepts (require_POST, require_GET, …, read from
its decorators) are pinned as well, so a view that starts accepting POST is noticed.

Outcomes: "200", "403", "404", "405", "302login" (to the login page), "302admin" (to the admin's
login page), "302" (any other redirect). A POST is sent with empty data: the point is the
authorisation decision, which must come before any processing; a permitted POST may answer 200
(form errors), 400 (publishing without its confirmation page) or 302, never 500. Each request
runs in a savepoint that is rolled back, so the roles of one URL see the same data.

The Django admin's own URLs are left out of the enumeration (test_admin_*); /static/ (served by
WhiteNoise, not a URL pattern) is tested on its own. The open-data API (/api/v1/) is public by
design: 200 for everyone, and the anonymous answers carry no draft value (test_api_*).
"""

import io
import re
import zipfile

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from kpis.models import Actual
from tests.security.conftest import (
    CONFIRMED_VALUE,
    DRAFT_VALUE,
    LOCKED_YEAR,
    OPEN_YEAR,
    ROLES,
    call,
    login,
)

pytestmark = pytest.mark.django_db

CODE = "nemuro-2"
ANY = "*"  # the view does not restrict the method

# name: (accepted methods, GET outcomes, POST outcomes); outcomes in the order of ROLES:
# anonymous, mallory (clerk of tourism), alice (clerk of fisheries, the department in the URLs),
# bob (secretariat), charlie (council member), dave (administrator). POST "=": as for GET.
# fmt: off
MATRIX = {
    # name                            methods              anon     mallory  alice    bob      charlie  dave        POST
    # -- project level
    "home":                          (ANY,                "302login 200      200      200      200      200",      "="),
    "healthz":                       ("GET HEAD",         "200      200      200      200      200      200",      "405      405      405      405      405      405"),
    "healthz_shell":                 ("GET HEAD",         "302login 200      200      200      200      200",      "405      405      405      405      405      405"),
    "favicon":                       ("GET HEAD",         "302      302      302      302      302      302",      "405      405      405      405      405      405"),
    "login":                         ("GET HEAD POST PUT", "200      200      200      200      200      200",      "200      200      200      200      200      200"),
    "logout":                        ("POST",             "405      405      405      405      405      405",      "302login 302login 302login 302login 302login 302login"),
    # -- the strategy browser
    "strategy":                      (ANY,                "302login 200      200      200      200      200",      "="),
    # -- entry and the review workflow (kpis/entry/urls.py)
    "entry_index":                   (ANY,                "302login 200      200      200      403      200",      "="),
    "entry":                         (ANY,                "302login 403      200      200      403      200",      "302login 403      302      302      403      302"),
    "status_index":                  (ANY,                "302login 403      403      302      403      302",      "="),
    "status_board":                  (ANY,                "302login 403      403      200      403      200",      "="),
    "status_confirm":                ("POST",             "302login 405      405      405      405      405",      "302login 403      403      302      403      302"),
    "status_return":                 ("POST",             "302login 405      405      405      405      405",      "302login 403      403      302      403      302"),
    "status_lock":                   ("GET POST",         "302login 403      403      200      403      200",      "302login 403      403      302      403      302"),
    "status_reopen":                 ("POST",             "302login 405      405      405      405      405",      "302login 403      403      302      403      302"),
    "status_deadline":               ("POST",             "302login 405      405      405      405      405",      "302login 403      403      302      403      302"),
    "assignments":                   (ANY,                "302login 403      403      200      403      200",      "302login 403      403      302      403      302"),
    # -- dashboards (dashboard/urls.py); restore is for administrators: an empty POST names
    #    no history row, so dave gets 404 (after the permission check)
    "dashboard_overview":            (ANY,                "302login 200      200      200      200      200",      "="),
    "dashboard_goal":                (ANY,                "302login 200      200      200      200      200",      "="),
    "dashboard_policy":              (ANY,                "302login 200      200      200      200      200",      "="),
    "dashboard_measure":             (ANY,                "302login 200      200      200      200      200",      "="),
    "dashboard_indicator":           (ANY,                "302login 200      200      200      200      200",      "="),
    "dashboard_restore_actual":      ("POST",             "302login 405      405      405      405      405",      "302login 403      403      403      403      404"),
    # -- Excel (kpis/excel/urls.py)
    "excel_template":                ("GET",              "302login 403      200      200      403      200",      "302login 405      405      405      405      405"),
    "excel_import":                  ("GET POST",         "302login 403      200      200      403      200",      "="),
    "excel_export_xlsx":             ("GET",              "302login 200      200      200      200      200",      "302login 405      405      405      405      405"),
    "excel_export_csv":              ("GET",              "302login 200      200      200      200      200",      "302login 405      405      405      405      405"),
    # -- projects, population
    "projects_list":                 (ANY,                "302login 200      200      200      200      200",      "="),
    "population_vision":             (ANY,                "302login 200      200      200      200      200",      "="),
    "population_entry":              ("GET POST",         "302login 403      403      200      403      200",      "="),
    "population_upload":             ("GET POST",         "302login 403      403      200      403      200",      "="),
    "population_template":           (ANY,                "302login 403      403      200      403      200",      "="),
    # -- council
    "opinion_create":                ("GET POST",         "302login 403      403      403      200      200",      "="),
    "opinion_respond":               ("GET POST",         "302login 403      403      200      403      200",      "="),
    "review_pack_index":             (ANY,                "302login 200      200      200      200      200",      "="),
    "review_pack":                   (ANY,                "302login 200      200      200      200      200",      "="),
    "review_pack_xlsx":              (ANY,                "302login 200      200      200      200      200",      "="),
    # -- revisions (drafts and editing: administrators only)
    "revision_list":                 (ANY,                "302login 200      200      200      200      200",      "="),
    "revision_create":               (ANY,                "302login 403      403      403      403      200",      "="),
    "revision_compare":              (ANY,                "302login 200      200      200      200      200",      "="),
    "revision_compare_xlsx":         (ANY,                "302login 200      200      200      200      200",      "="),
    "revision_next_strategy":        (ANY,                "302login 403      403      403      403      200",      "="),
    "revision_detail":               (ANY,                "302login 200      200      200      200      200",      "="),
    "revision_edit":                 (ANY,                "302login 403      403      403      403      200",      "="),
    "revision_publish":              ("GET POST",         "302login 403      403      403      403      200",      "302login 403      403      403      403      400"),
    "revision_discard":              ("POST",             "302login 405      405      405      405      405",      "302login 403      403      403      403      302"),
    "revision_change":               (ANY,                "302login 403      403      403      403      200",      "="),
    "revision_change_undo":          ("POST",             "302login 405      405      405      405      405",      "302login 403      403      403      403      302"),
    # -- the strategy as a workbook (revisions/workbook): administrators only
    "strategy_workbook_export":      ("GET",              "302login 403      403      403      403      200",      "302login 405      405      405      405      405"),
    "strategy_workbook_template":    ("GET",              "302login 403      403      403      403      200",      "302login 405      405      405      405      405"),
    "strategy_workbook_import":      ("GET POST",         "302login 403      403      403      403      200",      "="),
    # an edited workbook as a draft revision: an empty POST has no token, so back to the upload page
    "revision_import":               ("GET POST",         "302login 403      403      403      403      200",      "="),
    "revision_import_confirm":       ("POST",             "302login 405      405      405      405      405",      "302login 403      403      403      403      302"),
    # -- the open-data API: public by design
    "api-v1-docs":                   (ANY,                "200      200      200      200      200      200",      "="),
    "api-v1:openapi-json":           (ANY,                "200      200      200      200      200      200",      "="),
    "api-v1:api-root":               (ANY,                "404      404      404      404      404      404",      "="),
    "api-v1:list_strategies":        ("GET",              "200      200      200      200      200      200",      "405      405      405      405      405      405"),
    "api-v1:strategy_tree_view":     ("GET",              "200      200      200      200      200      200",      "405      405      405      405      405      405"),
    "api-v1:list_indicators":        ("GET",              "200      200      200      200      200      200",      "405      405      405      405      405      405"),
    "api-v1:indicator_detail":       ("GET",              "200      200      200      200      200      200",      "405      405      405      405      405      405"),
    "api-v1:list_projects":          ("GET",              "200      200      200      200      200      200",      "405      405      405      405      405      405"),
}

# Variants: the same URL name with other objects in the URL (name#variant): a draft revision
# (administrators only, also through the strategy browser's ?revision=) and the entry URLs of
# mallory's department (tourism), where alice is the outsider.
VARIANTS = {
    "revision_detail#draft":         (ANY,                "302login 404      404      404      404      200",      "="),
    "entry#tourism":                 (ANY,                "302login 200      403      200      403      200",      "302login 302      403      302      403      302"),
    "excel_import#tourism":          ("GET POST",         "302login 200      403      200      403      200",      "="),
    "excel_template#tourism":        ("GET",              "302login 200      403      200      403      200",      "302login 405      405      405      405      405"),
    "strategy#draft":                (ANY,                "302login 404      404      404      404      200",      "="),
}
# fmt: on


def _kwargs(name, w, draft, *, fiscal_year=OPEN_YEAR):
    """Concrete URL kwargs (and a query string) for every URL name of the matrix, in the world
    `w` (the published strategy, or the one in preparation: w["code"])."""
    base, _, variant = name.partition("#")
    CODE = w.get("code", "nemuro-2")  # noqa: N806 - shadows the module constant on purpose
    ind = w["indicator"]
    dept = w["tourism"] if variant == "tourism" else w["fisheries"]
    year = {"code": CODE, "fiscal_year": fiscal_year}
    entry = {**year, "department_id": dept.pk}
    revision_number = draft[0].number if draft else 1
    table = {
        "entry": entry,
        "excel_template": entry,
        "excel_import": entry,
        "status_board": year,
        "status_confirm": year,
        "status_lock": year,
        "status_reopen": year,
        "status_deadline": year,
        "status_return": {**year, "actual_id": w["actual"].pk},
        "review_pack": year,
        "review_pack_xlsx": year,
        "dashboard_goal": {"code": CODE, "number": 1},
        "dashboard_policy": {"code": CODE, "pk": ind.measure.policy_id},
        "dashboard_measure": {"code": CODE, "pk": ind.measure_id},
        "dashboard_indicator": {"code": CODE, "pk": ind.pk},
        "dashboard_restore_actual": {"code": CODE, "pk": ind.pk},
        "opinion_create": {"code": CODE, "kind": "indicator", "pk": ind.pk},
        "opinion_respond": {"code": CODE, "pk": w["opinion"].pk},
        "revision_detail": {"code": CODE, "number": revision_number},
        "revision_edit": {"code": CODE, "number": revision_number},
        "revision_publish": {"code": CODE, "number": revision_number},
        "revision_discard": {"code": CODE, "number": revision_number},
        "revision_change": {"code": CODE, "number": revision_number, "op": "indicator-target"},
        "revision_change_undo": {
            "code": CODE,
            "number": revision_number,
            "pk": draft[1].pk if draft else 0,
        },
        "api-v1:strategy_tree_view": {"code": CODE},
        "api-v1:list_indicators": {"code": CODE},
        "api-v1:indicator_detail": {"code": CODE, "indicator_code": ind.code},
        "api-v1:list_projects": {"code": CODE},
    }
    project_level = {
        "home",
        "healthz",
        "healthz_shell",
        "favicon",
        "login",
        "logout",
        "api-v1-docs",
    }
    if base in table:
        kwargs = table[base]
    elif base in project_level or base in ("api-v1:openapi-json", "api-v1:api-root"):
        kwargs = {}
    elif base.startswith("api-v1:"):
        kwargs = {}
    else:
        kwargs = {"code": CODE}
    url = reverse(base, kwargs=kwargs)
    if name == "strategy#draft":
        url += f"?revision={draft[0].number}"
    return url


NEEDS_DRAFT = {
    "revision_edit",
    "revision_publish",
    "revision_discard",
    "revision_change",
    "revision_change_undo",
    "revision_detail#draft",
    "strategy#draft",
}


# --- the URL configuration -------------------------------------------------------------------


def _walk(patterns, prefix="", namespace=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace
            full_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _walk(p.url_patterns, prefix + str(p.pattern), full_ns)
        elif isinstance(p, URLPattern):
            yield p, prefix + str(p.pattern), namespace


def accepted_methods(view) -> str:
    """The HTTP methods a view accepts, read from its decorators ('*' when unrestricted)."""
    cls = getattr(view, "view_class", None)
    if cls is not None:  # class-based: the handlers it defines (HEAD is served by GET)
        names = {m for m in cls.http_method_names if m != "options" and hasattr(cls, m)}
        if "get" in names:
            names.add("head")
        return " ".join(sorted((m.upper() for m in names), key=_method_order))
    allowed = None
    seen = set()
    func = view
    while func is not None and id(func) not in seen:
        seen.add(id(func))
        for cell in getattr(func, "__closure__", None) or ():
            try:
                value = cell.cell_contents
            except ValueError:
                continue
            methods = _methods_in(value)
            if methods is not None:
                allowed = methods if allowed is None else allowed & methods
        func = getattr(func, "__wrapped__", None)
    return ANY if allowed is None else " ".join(sorted(allowed, key=_method_order))


def _methods_in(value):
    """require_http_methods keeps its list in a closure; django-ninja a PathView of operations."""
    if isinstance(value, list | tuple | set) and value:
        if all(isinstance(m, str) and m.isupper() and m.isalpha() for m in value):
            return set(value)
    operations = getattr(value, "operations", None)
    if isinstance(operations, list) and operations:
        return {m for op in operations for m in op.methods}
    return None


def _method_order(m):
    order = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]
    return order.index(m) if m in order else len(order)


def url_patterns():
    """{name: (route, accepted methods)} of every named URL, Django admin's own left out."""
    found = {}
    for pattern, route, namespace in _walk(get_resolver().url_patterns):
        if namespace == "admin" or not pattern.name:
            continue
        name = f"{namespace}:{pattern.name}" if namespace else pattern.name
        found[name] = (route, accepted_methods(pattern.callback))
    return found


def test_every_url_has_a_row_and_every_row_a_url():
    urls = url_patterns()
    missing = sorted(set(urls) - set(MATRIX))
    gone = sorted(set(MATRIX) - set(urls))
    assert not missing, f"URL names without a row in MATRIX (add one): {missing}"
    assert not gone, f"MATRIX rows whose URL no longer exists (remove them): {gone}"
    assert {v.partition("#")[0] for v in VARIANTS} <= set(urls)


def test_the_accepted_methods_are_the_ones_in_the_matrix():
    wrong = {
        name: (methods, MATRIX[name][0])
        for name, (_, methods) in url_patterns().items()
        if name in MATRIX and methods != MATRIX[name][0]
    }
    assert not wrong, f"(read from the decorators, in MATRIX): {wrong}"


def test_the_admin_is_the_only_unnamed_area():
    """Every URL outside the Django admin has a name (else the matrix could not see it)."""
    unnamed = [
        route
        for pattern, route, namespace in _walk(get_resolver().url_patterns)
        if namespace != "admin" and not pattern.name
    ]
    assert not unnamed


# --- the decisions ---------------------------------------------------------------------------


def _expected(row):
    _, get, post = row
    get_list = get.split()
    post_list = get_list if post == "=" else post.split()
    assert len(get_list) == len(post_list) == len(ROLES)
    return get_list, post_list


ROWS = {**MATRIX, **VARIANTS}


def _text_of(response) -> str:
    """The body as text; an .xlsx (a zip) as the text of all its parts."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            content = b"".join(zf.read(n) for n in zf.namelist())
    return content.decode("utf-8", errors="replace")


def _draft_shown(response) -> bool:
    digits = f"{DRAFT_VALUE.normalize():f}".split(".")[0]  # 98765, at any scale
    text = _text_of(response)
    return digits in text or f"{int(digits):,}" in text


def _csp_problem(response):
    """Why an HTML response's Content-Security-Policy is missing or too weak (None: fine)."""
    if not response["Content-Type"].startswith("text/html"):
        return None
    policy = response.get("Content-Security-Policy")
    if not policy:
        return "no Content-Security-Policy header"
    directives = {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}
    script = directives.get("script-src", directives.get("default-src"))
    if script is None:
        return "no script-src"
    if "'unsafe-inline'" in script or "'unsafe-eval'" in script:
        return f"script-src {' '.join(script)}"
    return None


@pytest.mark.parametrize("name", sorted(ROWS))
def test_every_role_gets_the_expected_answer(client, world, request, name):
    """Also, on the way: the council and the public never get the draft value, and every HTML
    answer (403 and 404 pages included) carries a strict Content-Security-Policy."""
    draft = request.getfixturevalue("draft_revision") if name in NEEDS_DRAFT else None
    url = _kwargs(name, world, draft)
    want_get, want_post = _expected(ROWS[name])
    got_get, got_post = [], []
    for role in ROLES:
        login(client, world["users"][role])
        for method, got in (("GET", got_get), ("POST", got_post)):
            status, response = call(client, method, url)
            got.append(status)
            if response is None:
                continue
            assert _csp_problem(response) is None, (name, role, method, _csp_problem(response))
            if role in ("anonymous", "charlie") and status == "200":
                assert not _draft_shown(response), f"{role} sees the draft value on {name}"
    table = "\n".join(
        f"  {role:9} GET {g:9} (want {wg:9}) POST {p:9} (want {wp})"
        for role, g, wg, p, wp in zip(ROLES, got_get, want_get, got_post, want_post, strict=True)
    )
    assert (got_get, got_post) == (want_get, want_post), f"{name} {url}\n{table}"


# --- a locked year ----------------------------------------------------------------------------
# Every URL with a fiscal year in it, for the locked year: who may open it, and that no POST of
# any role changes an actual, a workflow event or the lock (checked before the savepoint is
# rolled back). A URL with a year that has no row here fails test_every_year_url_has_a_locked_row.

# fmt: off
LOCKED = {
    # name                   anon     mallory  alice    bob      charlie  dave        POST
    "entry":               ("302login 403      200      200      403      200",      "302login 403      200      200      403      200"),
    "excel_template":      ("302login 403      200      200      403      200",      "302login 405      405      405      405      405"),
    "excel_import":        ("302login 403      200      200      403      200",      "="),
    "status_board":        ("302login 403      403      200      403      200",      "="),
    "status_confirm":      ("302login 405      405      405      405      405",      "302login 403      403      302      403      302"),
    "status_return":       ("302login 405      405      405      405      405",      "302login 403      403      302      403      302"),
    "status_lock":         ("302login 403      403      200      403      200",      "302login 403      403      302      403      302"),
    "status_deadline":     ("302login 405      405      405      405      405",      "302login 403      403      302      403      302"),
    "status_reopen":       ("302login 405      405      405      405      405",      "302login 403      403      302      403      302"),
    "review_pack":         ("302login 200      200      200      200      200",      "="),
    "review_pack_xlsx":    ("302login 200      200      200      200      200",      "="),
}
# fmt: on


def _locked_state(strategy):
    """Everything a write to the locked year could change."""
    from kpis.models import WorkflowEvent, YearReview

    actuals = Actual.objects.filter(
        indicator__basic_goal__strategy=strategy, fiscal_year=LOCKED_YEAR
    ).values_list("pk", "value", "status", "version", "note")
    # Events about an actual (a deadline set for the year is no change of its figures).
    events = WorkflowEvent.objects.filter(
        strategy=strategy, fiscal_year=LOCKED_YEAR, actual__isnull=False
    ).count()
    lock = YearReview.objects.filter(strategy=strategy, fiscal_year=LOCKED_YEAR).values_list(
        "is_locked", flat=True
    )
    return sorted(actuals), events, list(lock)


def test_every_year_url_has_a_locked_row():
    with_year = {name for name, (route, _) in url_patterns().items() if "fiscal_year" in route}
    assert with_year == set(LOCKED), (
        sorted(with_year - set(LOCKED)),
        sorted(set(LOCKED) - with_year),
    )


@pytest.mark.parametrize("name", sorted(LOCKED))
def test_a_locked_year_answers_every_role_and_no_post_changes_it(client, world, name):

    url = _kwargs(name, world, None, fiscal_year=LOCKED_YEAR)
    if name == "status_return":
        locked_actual = Actual.objects.get(indicator=world["indicator"], fiscal_year=LOCKED_YEAR)
        url = reverse(name, args=[CODE, LOCKED_YEAR, locked_actual.pk])
    want_get, want_post = _expected((None, *LOCKED[name]))
    before = _locked_state(world["strategy"])
    got_get, got_post = [], []
    for role in ROLES:
        login(client, world["users"][role])
        got_get.append(call(client, "GET", url)[0])
        with transaction.atomic():
            data = {"reason": "再確認のため", "actual": [str(a.pk) for a in Actual.objects.all()]}
            if name == "status_reopen":
                data = {}  # a reopen with its reason is the one legitimate change
            got_post.append(call(client, "POST", url, data, rollback=False)[0])
            assert _locked_state(world["strategy"]) == before, (name, role)
            transaction.set_rollback(True)
    assert (got_get, got_post) == (want_get, want_post), name


def test_a_department_that_does_not_exist_is_404_not_500(client, world):
    login(client, world["users"]["bob"])
    for name in ("entry", "excel_template", "excel_import"):
        url = reverse(name, args=[CODE, OPEN_YEAR, 999999])
        assert call(client, "GET", url)[0] == "404", url


# --- Content-Security-Policy -----------------------------------------------------------------

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)


def test_every_html_page_sends_a_strict_csp_and_has_no_inline_script(client, world, request):
    """Every page of the matrix that dave may GET: the CSP header, no 'unsafe-inline' in
    script-src, and no inline <script> the policy would block (json_script data is allowed)."""
    draft = request.getfixturevalue("draft_revision")
    client.force_login(world["users"]["dave"])
    html_pages = 0
    for name, row in sorted(ROWS.items()):
        if _expected(row)[0][ROLES.index("dave")] != "200":
            continue
        status, response = call(client, "GET", _kwargs(name, world, draft))
        assert status == "200", name
        if not response["Content-Type"].startswith("text/html"):
            continue
        html_pages += 1
        assert _csp_problem(response) is None, (name, _csp_problem(response))
        csp = response["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp, name
        inline = INLINE_SCRIPT.findall(response.content.decode())
        assert not inline, (name, inline)
    assert html_pages >= 30


# --- CSRF ------------------------------------------------------------------------------------

CSRF_POSTS = ["entry", "status_confirm", "assignments", "opinion_create", "population_entry"]


@pytest.mark.parametrize("name", CSRF_POSTS)
def test_a_post_without_the_csrf_token_is_refused(world, name):
    """The test client skips CSRF checks unless asked: here it is asked, and the token is absent."""
    client = Client(enforce_csrf_checks=True)
    user = world["users"]["dave"]
    client.force_login(user)
    url = _kwargs(name, world, None)
    status, response = call(client, "POST", url, {"body": "x"})
    assert status == "403"
    assert "CSRF" in response.content.decode() or "csrf" in response.content.decode().lower()


# --- the Django admin ------------------------------------------------------------------------

ADMIN_EXPECTED = {
    "anonymous": "302admin",
    "mallory": "302admin",
    "alice": "302admin",
    "bob": "302admin",
    "charlie": "302admin",
    "dave": "200",
}


@pytest.mark.parametrize("path", ["/admin/", "/admin/kpis/actual/", "/admin/auth/user/"])
def test_only_the_administrator_gets_into_the_admin(client, world, path):
    got = {}
    for role in ROLES:
        login(client, world["users"][role])
        got[role] = call(client, "GET", path)[0]
    assert got == ADMIN_EXPECTED


def test_a_staff_flag_without_the_administrator_role_opens_no_model(client, world):
    """is_staff alone (a clerk flagged by mistake) reaches the admin index but no model."""
    mallory = world["users"]["mallory"]
    mallory.is_staff = True
    mallory.save()
    login(client, mallory)
    status, response = call(client, "GET", "/admin/")
    assert status == "200"
    assert "/admin/kpis/actual/" not in response.content.decode()
    assert call(client, "GET", "/admin/kpis/actual/")[0] == "403"
    assert call(client, "POST", "/admin/kpis/actual/add/")[0] == "403"


# --- public by design ------------------------------------------------------------------------


def test_static_files_and_healthz_are_public(client, world, settings):
    # Tests run without collectstatic: let WhiteNoise find the files as it does in development.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    status, response = call(Client(), "GET", "/static/css/app.css")
    assert status == "200" and b"{" in b"".join(response.streaming_content)
    status, response = call(client, "GET", reverse("healthz"))
    assert status == "200" and response.content == b"ok"


def _api_urls(w):
    return [
        reverse("api-v1:list_strategies"),
        reverse("api-v1:list_indicators", args=[CODE]),
        reverse("api-v1:list_indicators", args=[CODE]) + f"?fiscal_year={LOCKED_YEAR}",
        reverse("api-v1:list_indicators", args=[CODE]) + f"?fiscal_year={OPEN_YEAR}",
        reverse("api-v1:indicator_detail", args=[CODE, w["indicator"].code]),
        reverse("api-v1:indicator_detail", args=[CODE, "1-ア-1-2"]),
        reverse("api-v1:indicator_detail", args=[CODE, "1-ア-1-2"]) + f"?fiscal_year={LOCKED_YEAR}",
        reverse("api-v1:strategy_tree_view", args=[CODE]),
        reverse("api-v1:list_projects", args=[CODE]),
    ]


def _mentions(body: str, value) -> bool:
    """Whether a JSON body carries `value` as a decimal string (any scale)."""
    digits = f"{value.normalize():f}"
    return re.search(rf'"{re.escape(digits)}(?:\.0*)?"', body) is not None


def test_the_api_answers_everyone_and_shows_anonymous_readers_no_draft(client, world):
    for role in ROLES:
        login(client, world["users"][role])
        for url in _api_urls(world):
            status, response = call(client, "GET", url)
            assert status == "200", (role, url)
            body = response.content.decode()
            if role in ("anonymous", "charlie"):
                assert not _mentions(body, DRAFT_VALUE), (role, url)
                assert str(DRAFT_VALUE.normalize()) not in body, (role, url)
    # The filter is not vacuous: staff see the draft, the public sees the locked confirmed value.
    login(client, world["users"]["bob"])
    staff = call(client, "GET", _api_urls(world)[6])[1].content.decode()
    assert _mentions(staff, DRAFT_VALUE)
    client.logout()
    public = call(client, "GET", _api_urls(world)[2])[1].content.decode()
    assert _mentions(public, CONFIRMED_VALUE)
