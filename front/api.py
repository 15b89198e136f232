"""The read-only open-data API, version 1 (mounted at /api/v1/ by front/api_urls.py).

Structure, targets and projects are public. Actuals and their evaluation follow the access rule
in front/api_selectors.py: anonymous readers see confirmed values of locked years only; a signed-in
session (Django's login) sees what its role may see."""

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from ninja import NinjaAPI, Path, Query
from ninja.errors import HttpError
from ninja.renderers import JSONRenderer

from front import api_schemas as s
from front import api_selectors as sel
from front.selectors import strategy_goals
from kpis.access import Access, visible_strategies
from kpis.models import Indicator, Strategy, YearReview
from projects.models import Project, ProjectListing

DESCRIPTION = """\
第２期根室市創生総合戦略の数値目標・重要業績評価指標（KPI）・具体的な事業と、その実績値・効果検証を
JSON で提供する読み取り専用の API です（オープンデータ）。

- 数値（目標値・基準値・実績値・進捗率など）はすべて **10進数の文字列** です（例 `"27700"`、`"2.00"`）。
  浮動小数点の誤差を避けるためで、目標値などは文書の表示桁数のまま返します。率は割合（1 = 100%）です。
- ログインしていない利用者には、有識者会議の検証のため **ロック（確定）された年度の確認済みの実績値だけ**
  を返します。ログイン中のセッションでは、その利用者の役割で閲覧できる範囲（有識者：全年度の確認済み、
  職員：下書きを含むすべて）を返します。体系・目標値・事業は誰でも閲覧できます。
- スキーマ（OpenAPI 3.1）: `/api/v1/openapi.json`
"""


class JapaneseJSONRenderer(JSONRenderer):
    """UTF-8 JSON with Japanese left readable (no \\uXXXX escapes)."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="根室市創生総合戦略 KPI API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    renderer=JapaneseJSONRenderer(),
    docs_url=None,  # Swagger UI would load from a CDN; front/api_urls.py serves a plain page instead
)

# 400: any request with a NUL character, refused before the API runs (nemuro_strategy/guards.py)
ERRORS = {400: s.Error, 404: s.Error, 422: s.Error}
STRATEGY_CODE = Path(
    ...,
    description="総合戦略のコード（例 nemuro-2）",
    pattern=r"^[-a-zA-Z0-9_]+$",
    max_length=40,
)
INDICATOR_CODE = Path(
    ..., description="指標のコード（例 1-ア-1-1、1-N1）", pattern=r"^[^/]+$", max_length=20
)
FISCAL_YEAR = Query(
    None,
    description="効果検証の年度（西暦の年度。計画期間内）。"
    "省略時はロックされた最新の年度、なければ計画期間の初年度",
    ge=1900,
    le=2200,
)


def _access(request, code) -> Access:
    """The API's auth hook: the strategy of the path and who asks, decided by kpis.access (a
    strategy in preparation is 404 for anyone but an administrator, like an unknown code)."""
    try:
        return Access.for_code(request.user, code)
    except Http404:
        raise HttpError(404, f"総合戦略「{code}」は見つかりません。") from None


def _get_strategy(request, code) -> Strategy:
    return _access(request, code).strategy


def _fiscal_year(strategy, fiscal_year, locked_years) -> int:
    if fiscal_year is None:
        return sel.default_fiscal_year(strategy, locked_years)
    if fiscal_year not in strategy.fiscal_years:
        raise HttpError(
            422,
            f"年度は計画期間（{strategy.first_fiscal_year}〜{strategy.last_fiscal_year}年度）"
            "の中で指定してください。",
        )
    return fiscal_year


@api.get(
    "/strategies",
    response={200: list[s.StrategyOut], 400: s.Error},
    summary="総合戦略の一覧",
    tags=["総合戦略"],
)
def list_strategies(request):
    locked = YearReview.objects.filter(is_locked=True).order_by("fiscal_year")
    strategies = visible_strategies(request.user).prefetch_related(
        Prefetch("year_reviews", queryset=locked, to_attr="locked_reviews")
    )
    return [
        {
            **s.strategy_summary(st),
            "locked_fiscal_years": [r.fiscal_year for r in st.locked_reviews],
        }
        for st in strategies
    ]


@api.get(
    "/strategies/{code}/tree",
    response={200: s.TreeOut, **ERRORS},
    summary="施策の体系（基本目標 → 具体的な施策 → 施策）",
    tags=["総合戦略"],
)
def strategy_tree_view(request, code: str = STRATEGY_CODE):
    strategy = _get_strategy(request, code)
    goals = strategy_goals(strategy)
    return {"strategy": s.strategy_summary(strategy), "basic_goals": [_goal(g) for g in goals]}


def _goal(goal) -> dict:
    return {
        "number": goal.number,
        "title": goal.title,
        "package": goal.package,
        "package_label": goal.get_package_display(),
        "directions": [d.text for d in goal.directions.all()],
        "numeric_targets": [s.indicator_ref(i) for i in goal.numeric_targets],
        "policies": [
            {
                "symbol": policy.symbol,
                "title": policy.title,
                "measures": [
                    {
                        "code": m.code,
                        "number": m.number,
                        "label": m.label,
                        "title": m.title,
                        "description": m.description,
                        "kpis": [s.indicator_ref(i) for i in m.kpi_list],
                        "projects": [
                            {
                                "project_id": listing.project_id,
                                "project_name": listing.project.name,
                                "is_relisted": listing.is_relisted,
                            }
                            for listing in m.listing_list
                        ],
                    }
                    for m in policy.measure_list
                ],
            }
            for policy in goal.policy_list
        ],
    }


@api.get(
    "/strategies/{code}/indicators",
    response={200: s.IndicatorListOut, **ERRORS},
    summary="数値目標・KPIの一覧と実績値・効果検証",
    tags=["指標"],
)
def list_indicators(request, code: str = STRATEGY_CODE, fiscal_year: int | None = FISCAL_YEAR):
    access = _access(request, code)
    strategy = access.strategy
    locked = access.locked_years
    year = _fiscal_year(strategy, fiscal_year, locked)
    level = access.level
    indicators = Indicator.objects.for_strategy(strategy).in_document_order()
    figures = sel.indicator_figures(strategy, indicators, level, locked)
    return {
        "strategy": strategy.code,
        "fiscal_year": year,
        "fiscal_year_locked": year in locked,
        "access": level,
        "indicators": [s.indicator_out(f, year) for f in figures],
        "basic_goals": [s.goal_rollup_out(g) for g in sel.goal_rollups(figures, year)],
    }


@api.get(
    "/strategies/{code}/indicators/{indicator_code}",
    response={200: s.IndicatorDetailOut, **ERRORS},
    summary="指標1件と全年度の効果検証",
    tags=["指標"],
)
def indicator_detail(
    request,
    code: str = STRATEGY_CODE,
    indicator_code: str = INDICATOR_CODE,
    fiscal_year: int | None = FISCAL_YEAR,
):
    access = _access(request, code)
    strategy = access.strategy
    locked = access.locked_years
    year = _fiscal_year(strategy, fiscal_year, locked)
    level = access.level
    if "\x00" in indicator_code:  # PostgreSQL refuses NUL in a query: not a code, 404
        raise HttpError(404, "指標が見つかりません。")
    indicators = Indicator.objects.for_strategy(strategy).filter(code=indicator_code)
    figures = sel.indicator_figures(strategy, indicators, level, locked)
    if not figures:
        raise HttpError(404, f"指標「{indicator_code}」は見つかりません。")
    f = figures[0]
    d = f.indicator.decimals
    return {
        **s.indicator_out(f, year),
        "access": level,
        "evaluations": [
            s.evaluation_out(f.evaluate(y), d, f.year(y)) for y in strategy.fiscal_years
        ],
    }


@api.get(
    "/strategies/{code}/projects",
    response={200: list[s.ProjectOut], **ERRORS},
    summary="具体的な事業の一覧（区分・連携機関・掲載施策）",
    tags=["事業"],
)
def list_projects(request, code: str = STRATEGY_CODE):
    strategy = _get_strategy(request, code)
    listings = ProjectListing.objects.select_related("measure__policy__basic_goal").order_by(
        "measure__policy__basic_goal__number", "measure__policy__order", "measure__number", "order"
    )
    projects = Project.objects.filter(strategy=strategy).prefetch_related(
        Prefetch("listings", queryset=listings, to_attr="listing_list")
    )
    return [s.project_out(p) for p in projects]


def docs_page(request):
    """/api/v1/docs: the endpoints and a link to the schema, with nothing loaded from a CDN."""
    schema_url = reverse("api-v1:openapi-json")
    schema = api.get_openapi_schema()
    operations = [
        {
            "path": path,
            "summary": op.get("summary", ""),
            "parameters": [
                {
                    "name": p["name"],
                    "required": p.get("required", False),
                    "description": p.get("description") or p.get("schema", {}).get("description"),
                }
                for p in op.get("parameters", [])
            ],
        }
        for path, item in schema["paths"].items()
        for op in [item["get"]]
    ]
    context = {
        "title": api.title,
        "version": api.version,
        "schema_url": schema_url,
        "operations": operations,
        "example_url": request.build_absolute_uri(
            reverse("api-v1:list_indicators", kwargs={"code": "nemuro-2"}) + "?fiscal_year=2022"
        ),
    }
    return render(request, "api/docs.html", context)
