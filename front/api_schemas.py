"""Response shapes of the open-data API (front/api.py) and the functions that fill them.

Numbers: every Decimal (targets, baselines, actuals, rates, interim targets) is a JSON *string*
holding the exact decimal ("27700", "2.00", "0.324"), never a binary float. Stored values keep
the scale the document prints them with (Indicator.decimals) unless they carry more digits;
computed values (rates, interim targets, cumulative totals) are given unrounded."""

from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import StringConstraints

from kpis import achievement, numfmt
from kpis.models import Actual, Indicator

DECIMAL_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"
DECIMAL_NOTE = "10進数の文字列（浮動小数点の誤差を避けるため文字列で表します）"


DecimalStr = Annotated[str, StringConstraints(pattern=DECIMAL_PATTERN)]


def dec(description: str):
    """A required decimal-string field; the description says how numbers are written."""
    return Field(..., description=f"{description}。{DECIMAL_NOTE}")


def exact(value: Decimal | None, decimals: int | None = None) -> str | None:
    """'27700', '2.00': at the printed scale when that loses nothing, else every digit it has."""
    if value is None:
        return None
    if decimals is not None:
        scaled = (
            value.quantize(Decimal(1).scaleb(-decimals)) if decimals else value.quantize(Decimal(1))
        )
        if scaled == value:
            return f"{scaled:f}"
    return f"{value.normalize():f}"


# --- schemas --------------------------------------------------------------------------------


class Error(Schema):
    detail: str | list[dict[str, Any]] = Field(
        ..., description="エラーの説明（日本語）、または入力検証エラーの一覧"
    )


class StrategySummary(Schema):
    code: str = Field(..., description="総合戦略のコード（URLに使います。例 nemuro-2）")
    name: str = Field(..., description="総合戦略の名称")
    municipality: str = Field(..., description="自治体名")
    first_fiscal_year: int = Field(..., description="計画期間の初年度（西暦の年度）")
    last_fiscal_year: int = Field(..., description="計画期間の最終年度（西暦の年度）")
    fiscal_years: list[int] = Field(
        ...,
        description="計画期間の年度（初年度から最終年度まで）。改訂で計画期間が変更されると変わります",
    )


class StrategyOut(StrategySummary):
    locked_fiscal_years: list[int] = Field(
        ...,
        description="有識者会議の検証のためロック（確定）された年度。"
        "ログインしていない利用者には、これらの年度の確認済みの実績値だけが公開されます",
    )


class IndicatorRef(Schema):
    id: int = Field(..., description="指標のID")
    code: str = Field(..., description="指標のコード（例 1-ア-1-1、数値目標は 1-N1）")
    name: str = Field(..., description="指標名")
    unit: str = Field(..., description="単位（例 t、人、%）")
    target_value: DecimalStr = dec("目標値")
    target_fiscal_year: int = Field(..., description="目標年度")


class ListingRef(Schema):
    project_id: int = Field(..., description="事業のID（/projects の id）")
    project_name: str = Field(..., description="事業名")
    is_relisted: bool = Field(..., description="【再掲】（別の施策に掲載済みの事業の再掲載）か")


class MeasureNode(Schema):
    code: str = Field(..., description="施策のコード（基本目標番号-施策記号-番号。例 1-ア-1）")
    number: int = Field(..., description="施策の番号（①＝1）")
    label: str = Field(..., description="施策の番号の表記（①②③）")
    title: str = Field(..., description="施策名")
    description: str = Field(..., description="施策の内容")
    kpis: list[IndicatorRef] = Field(..., description="重要業績評価指標（KPI）")
    projects: list[ListingRef] = Field(..., description="具体的な事業（表の順）")


class PolicyNode(Schema):
    symbol: str = Field(..., description="具体的な施策の記号（ア、イ、ウ）")
    title: str = Field(..., description="具体的な施策")
    measures: list[MeasureNode] = Field(..., description="施策（①②③）")


class GoalNode(Schema):
    number: int = Field(..., description="基本目標の番号")
    title: str = Field(..., description="基本目標")
    package: str = Field(..., description="政策パッケージのコード")
    package_label: str = Field(..., description="政策パッケージ（例 雇用対策）")
    directions: list[str] = Field(..., description="基本的な方向")
    numeric_targets: list[IndicatorRef] = Field(..., description="数値目標")
    policies: list[PolicyNode] = Field(..., description="具体的な施策")


class TreeOut(Schema):
    strategy: StrategySummary = Field(..., description="総合戦略")
    basic_goals: list[GoalNode] = Field(
        ..., description="基本目標 → 具体的な施策 → 施策 の体系（文書の順）"
    )


class ActualOut(Schema):
    fiscal_year: int = Field(..., description="年度（西暦の年度）")
    value: DecimalStr | None = dec("実績値（測定不能・未入力は null）")
    not_measurable: bool = Field(..., description="測定不能か")
    status: Literal["draft", "submitted", "confirmed"] = Field(
        ...,
        description="状態（draft 下書き / submitted 提出済み / confirmed 確認済み）。"
        "公開（未ログイン）と有識者には confirmed だけが返ります",
    )
    status_label: str = Field(..., description="状態の表示名")
    data_year: int | None = Field(
        ..., description="データの対象年（国勢調査など年度と異なる時点のデータの場合）"
    )


class InterimTargetOut(Schema):
    fiscal_year: int = Field(..., description="年度")
    value: DecimalStr = dec("中間目標値（丸めなし）")
    overridden: bool = Field(
        ..., description="個別に設定された中間目標か（false は基準値から目標値への直線按分など）"
    )


class EvaluationOut(Schema):
    fiscal_year: int = Field(..., description="評価した年度")
    value: DecimalStr | None = dec(
        "評価に用いた実績値（期間累計の指標は初年度からの累計）。実績がなければ null"
    )
    progress_rate: DecimalStr | None = dec(
        "進捗率（割合。1 = 100%、丸めなし）。計算できない場合は null"
    )
    progress_rate_text: str = Field(..., description="進捗率の表示（例 32.4%、なしは −）")
    achievement_rate: DecimalStr | None = dec(
        "達成率（割合。1 = 100%、丸めなし）。計算できない場合は null"
    )
    achievement_rate_text: str = Field(..., description="達成率の表示（例 90.6%、なしは −）")
    interim_target: DecimalStr | None = dec("この年度の中間目標値（丸めなし）。なければ null")
    met: bool | None = Field(..., description="目標値を達成したか（実績がなければ null）")
    on_track: bool | None = Field(
        ..., description="中間目標に届いているか（実績か中間目標がなければ null）"
    )
    grade: str = Field(..., description="評価（A〜D、実績なしは −）")
    symbol: str = Field(..., description="評価の記号（◎○△×、実績なしは −）")
    grade_description: str = Field(..., description="評価の説明（例 目標達成）")
    formula: str = Field(..., description="計算式（使った数値を含む日本語。1行に1段階）")
    target_value: DecimalStr = dec(
        "この年度の評価に用いた目標値（改訂があれば、その年度に適用されていた目標値）"
    )
    target_fiscal_year: int = Field(..., description="この年度の評価に用いた目標年度")
    baseline_value: DecimalStr | None = dec("この年度の評価に用いた基準値（なければ null）")
    baseline_fiscal_year: int | None = Field(
        ...,
        description="按分の起点とした基準年度（文書に記載がなければ計画期間の前年度。基準値がなければ null）",
    )
    baseline_fiscal_year_estimated: bool = Field(
        ..., description="基準年度が文書に記載されておらず推定したものか"
    )
    grade_basis: Literal["prorated", "final"] = Field(
        ...,
        description="総合戦略の評価の基準（prorated 年度按分：目標年度より前は中間目標に対する進捗ペース / "
        "final 最終目標値に対する進捗率）",
    )
    graded_by: Literal["pace", "progress", "achievement"] = Field(
        ...,
        description="評価を決めた率（pace 進捗ペース / progress 進捗率 / "
        "achievement 達成率：基準値のない指標）",
    )
    graded_by_label: str = Field(..., description="評価を決めた率の表示名")
    pace: DecimalStr | None = dec(
        "進捗ペース（進捗率 ÷ 経過割合。割合、丸めなし）。年度按分で目標年度より前の年度のみ、ほかは null"
    )
    pace_text: str = Field(..., description="進捗ペースの表示（例 111.6%、なしは −）")
    value_text: str = Field(
        ..., description="評価に用いた実績値の表示（画面・印刷・Excelと同じ書き方。例 42.5%、▲12）"
    )


class IndicatorOut(Schema):
    id: int = Field(..., description="指標のID")
    level: Literal["goal", "kpi"] = Field(
        ..., description="区分（goal 数値目標 / kpi 重要業績評価指標）"
    )
    level_label: str = Field(..., description="区分の表示名")
    code: str = Field(..., description="指標のコード（例 1-ア-1-1）")
    name: str = Field(..., description="指標名")
    unit: str = Field(..., description="単位")
    basic_goal: int = Field(..., description="基本目標の番号")
    measure_code: str | None = Field(..., description="施策のコード（数値目標は null）")
    baseline_value: DecimalStr | None = dec("基準値（記載がなければ null）")
    baseline_kind: Literal["stated", "implied", "none"] = Field(
        ...,
        description="基準値の根拠（stated 記載あり / implied 目標値と増減から算出 / none 記載なし）",
    )
    baseline_kind_label: str = Field(..., description="基準値の根拠の表示名")
    baseline_fiscal_year: int | None = Field(..., description="基準年度（記載がなければ null）")
    target_value: DecimalStr = dec("目標値")
    target_fiscal_year: int = Field(..., description="目標年度")
    change_value: DecimalStr | None = dec("増減（原文の記載値）")
    change_unit: str = Field(..., description="増減の単位（ポイント / % / 人 など原文どおり）")
    direction: Literal["increase", "decrease", "maintain", "reach"] = Field(
        ...,
        description="改善の方向（increase 増加 / decrease 減少 / maintain 水準維持 / reach 到達）",
    )
    direction_label: str = Field(..., description="改善の方向の表示名")
    aggregation: Literal["level", "annual", "cumulative"] = Field(
        ..., description="集計方法（level 各年度の水準 / annual 年間 / cumulative 期間累計）"
    )
    aggregation_label: str = Field(..., description="集計方法の表示名")
    decimals: int = Field(..., description="文書で表示されている小数桁数")
    department: str | None = Field(..., description="担当課（未割当は null）")
    source_line: str = Field(..., description="総合戦略の原文の行")
    actuals: list[ActualOut] = Field(..., description="閲覧できる年度別の実績値（年度順）")
    interim_targets: list[InterimTargetOut] = Field(
        ..., description="計画期間の各年度の中間目標（中間目標のない年度は含みません）"
    )
    evaluation: EvaluationOut = Field(..., description="指定年度の効果検証")


class IndicatorDetailOut(IndicatorOut):
    access: Literal["public", "council", "staff"] = Field(
        ...,
        description="適用された閲覧範囲（public 公開：ロック年度の確認済みのみ / "
        "council 有識者：全年度の確認済み / staff 職員：下書きを含むすべて）",
    )
    evaluations: list[EvaluationOut] = Field(..., description="計画期間の全年度の効果検証")


class GradeCountOut(Schema):
    grade: str = Field(..., description="評価（A〜D、実績なしは −）")
    count: int = Field(..., description="件数")


class GoalRollUpOut(Schema):
    basic_goal: int = Field(..., description="基本目標の番号")
    counts_what: str = Field(..., description="数えた指標（KPIのみ。数値目標は含みません）")
    total: int = Field(..., description="数えたKPIの件数")
    counts: list[GradeCountOut] = Field(..., description="評価ごとの件数（評価の区分の順）")
    mean_progress: DecimalStr | None = dec(
        "平均進捗率（各KPIの進捗率を0〜1に収めてから平均した割合。丸めなし）。なければ null"
    )
    mean_progress_text: str = Field(..., description="平均進捗率の表示（例 42.3%、なしは −）")
    rated: int = Field(..., description="平均に用いた（進捗率を計算できた）KPIの件数")


class IndicatorListOut(Schema):
    strategy: str = Field(..., description="総合戦略のコード")
    fiscal_year: int = Field(..., description="効果検証の年度")
    fiscal_year_locked: bool = Field(..., description="その年度がロック（確定）されているか")
    access: Literal["public", "council", "staff"] = Field(
        ...,
        description="適用された閲覧範囲（public 公開：ロック年度の確認済みのみ / "
        "council 有識者：全年度の確認済み / staff 職員：下書きを含むすべて）",
    )
    indicators: list[IndicatorOut] = Field(..., description="数値目標とKPI（文書の順）")
    basic_goals: list[GoalRollUpOut] = Field(
        ...,
        description="基本目標ごとのKPIの評価の内訳と平均進捗率（ダッシュボード・効果検証資料と同じ値）",
    )


class ProjectListingOut(Schema):
    measure_code: str = Field(..., description="掲載されている施策のコード（例 1-ア-1）")
    order: int = Field(..., description="施策の表内での順序")
    is_relisted: bool = Field(..., description="【再掲】か")
    description: str = Field(..., description="この掲載での内容")


class ProjectOut(Schema):
    id: int = Field(..., description="事業のID")
    name: str = Field(..., description="事業名")
    description: str = Field(..., description="内容（初出の掲載）")
    badges: list[str] = Field(
        ..., description="区分の表示（重点、R3 新規／R3 拡充、民間等、北海道。文書の順）"
    )
    is_priority: bool = Field(..., description="重点")
    fy2021: Literal["new", "expanded", ""] = Field(
        ..., description="令和3年度の区分（new 新規 / expanded 拡充 / 空文字 なし）"
    )
    is_private: bool = Field(..., description="民間等との連携")
    is_hokkaido: bool = Field(..., description="北海道との連携")
    partners: list[str] = Field(..., description="連携機関（民間等）")
    listings: list[ProjectListingOut] = Field(..., description="掲載（施策ごと）")


# --- filling them ---------------------------------------------------------------------------


def strategy_summary(strategy) -> dict:
    return {
        "code": strategy.code,
        "name": strategy.name,
        "municipality": strategy.municipality,
        "first_fiscal_year": strategy.first_fiscal_year,
        "last_fiscal_year": strategy.last_fiscal_year,
        "fiscal_years": strategy.fiscal_years,
    }


def indicator_ref(ind: Indicator) -> dict:
    return {
        "id": ind.pk,
        "code": ind.code,
        "name": ind.name,
        "unit": ind.unit,
        "target_value": exact(ind.target_value, ind.decimals),
        "target_fiscal_year": ind.target_fiscal_year,
    }


def actual_out(actual: Actual, decimals: int) -> dict:
    return {
        "fiscal_year": actual.fiscal_year,
        "value": None if actual.not_measurable else exact(actual.value, decimals),
        "not_measurable": actual.not_measurable,
        "status": actual.status,
        "status_label": actual.get_status_display(),
        "data_year": actual.data_year,
    }


def evaluation_out(result: achievement.Result, decimals: int, year) -> dict:
    """`year`: the read model's YearEvaluation (kpis.evaluation) the result belongs to."""
    return {
        "fiscal_year": result.fiscal_year,
        "value": exact(result.value, decimals),
        "progress_rate": exact(result.progress_rate),
        "progress_rate_text": achievement.format_rate(result.progress_rate),
        "achievement_rate": exact(result.achievement_rate),
        "achievement_rate_text": achievement.format_rate(result.achievement_rate),
        "interim_target": exact(result.interim_target, decimals),
        "met": result.met,
        "on_track": result.on_track,
        "grade": result.grade,
        "symbol": result.symbol,
        "grade_description": result.grade_description,
        "formula": result.formula,
        "target_value": exact(year.target, decimals),
        "target_fiscal_year": year.target_year,
        "baseline_value": exact(year.baseline, decimals),
        "baseline_fiscal_year": year.baseline_year,
        "baseline_fiscal_year_estimated": year.baseline_year_estimated,
        "grade_basis": result.basis,
        "graded_by": result.measure,
        "graded_by_label": result.measure_label,
        "pace": exact(result.pace),
        "pace_text": numfmt.rate(result.pace),
        "value_text": year.value_text,
    }


def indicator_out(figures, fiscal_year: int) -> dict:
    """`figures`: an api_selectors.IndicatorFigures."""
    ind, d = figures.indicator, figures.indicator.decimals
    overridden = figures.overridden_years
    return {
        "id": ind.pk,
        "level": ind.level,
        "level_label": ind.get_level_display(),
        "code": ind.code,
        "name": ind.name,
        "unit": ind.unit,
        "basic_goal": ind.basic_goal.number,
        "measure_code": ind.measure.code if ind.measure_id else None,
        "baseline_value": exact(ind.baseline_value, d),
        "baseline_kind": ind.baseline_kind,
        "baseline_kind_label": ind.get_baseline_kind_display(),
        "baseline_fiscal_year": ind.baseline_fiscal_year,
        "target_value": exact(ind.target_value, d),
        "target_fiscal_year": ind.target_fiscal_year,
        "change_value": exact(ind.change_value, d),
        "change_unit": ind.change_unit,
        "direction": ind.direction,
        "direction_label": ind.get_direction_display(),
        "aggregation": ind.aggregation,
        "aggregation_label": ind.get_aggregation_display(),
        "decimals": d,
        "department": ind.department.name if ind.department_id else None,
        "source_line": ind.source_line,
        "actuals": [actual_out(a, d) for a in figures.actuals.values()],
        "interim_targets": [
            {"fiscal_year": y, "value": exact(v, d), "overridden": y in overridden}
            for y, v in figures.interim_path.items()
        ],
        "evaluation": evaluation_out(figures.evaluate(fiscal_year), d, figures.year(fiscal_year)),
    }


def goal_rollup_out(item) -> dict:
    from kpis.evaluation import ROLLUP_COUNTS

    r = item["rollup"]
    return {
        "basic_goal": item["basic_goal"],
        "counts_what": ROLLUP_COUNTS,
        "total": r.total,
        "counts": [{"grade": g, "count": n} for g, n in r.counts.items()],
        "mean_progress": exact(r.mean_progress),
        "mean_progress_text": numfmt.rate(r.mean_progress),
        "rated": r.rated,
    }


def project_out(project) -> dict:
    """`project` with `listing_list` prefetched (measure → policy → basic goal selected)."""
    return {
        "id": project.pk,
        "name": project.name,
        "description": project.description,
        "badges": project.badges,
        "is_priority": project.is_priority,
        "fy2021": project.fy2021,
        "is_private": project.is_private,
        "is_hokkaido": project.is_hokkaido,
        "partners": project.partner_list,
        "listings": [
            {
                "measure_code": listing.measure.code,
                "order": listing.order,
                "is_relisted": listing.is_relisted,
                "description": listing.description,
            }
            for listing in project.listing_list
        ],
    }
