"""Writes of opinions and responses. Keyword-only, each in one transaction."""

from django.db import transaction

from council.models import TARGET_KINDS, Opinion, Response
from kpis.models import BasicGoal, Indicator, Measure


class CouncilError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def kind_of(target) -> str:
    if isinstance(target, Indicator):
        return "indicator"
    if isinstance(target, Measure):
        return "measure"
    if isinstance(target, BasicGoal):
        return "basic_goal"
    raise CouncilError("意見の対象は指標・施策・基本目標のいずれかです。")


def strategy_id_of(target) -> int:
    kind = kind_of(target)
    if kind == "indicator":
        return target.basic_goal.strategy_id
    if kind == "measure":
        return target.policy.basic_goal.strategy_id
    return target.strategy_id


@transaction.atomic
def create_opinion(*, strategy, fiscal_year: int, target, body: str, author) -> Opinion:
    kind = kind_of(target)
    if strategy_id_of(target) != strategy.pk:
        raise CouncilError(f"この{TARGET_KINDS[kind]}は{strategy.name}のものではありません。")
    if fiscal_year not in strategy.fiscal_years:
        raise CouncilError(f"{fiscal_year}年度は計画期間（{strategy.period_label}）の外です。")
    body = body.strip()
    if not body:
        raise CouncilError("意見を入力してください。")
    opinion = Opinion(
        strategy=strategy, fiscal_year=fiscal_year, body=body, author=author, **{kind: target}
    )
    opinion._change_reason = "意見の記入"
    opinion.save()
    return opinion


@transaction.atomic
def record_response(*, opinion: Opinion, body: str, author) -> Response:
    """Write or rewrite the city's response to an opinion (the history keeps earlier texts)."""
    body = body.strip()
    if not body:
        raise CouncilError("対応方針を入力してください。")
    # Lock the opinion so two secretariat members answering at once do not both create a response.
    Opinion.objects.select_for_update().filter(pk=opinion.pk).first()
    response = Response.objects.filter(opinion=opinion).first()
    if response is None:
        response = Response(opinion=opinion)
        response._change_reason = "対応方針の記入"
    else:
        response._change_reason = "対応方針の更新"
    response.body = body
    response.author = author
    response.save()
    return response
