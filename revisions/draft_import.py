"""A wanted state of a strategy (an edited workbook, read as a snapshot) as a draft revision.

preview_import(strategy, snapshot) is the careful read: the plan (revisions.desired) against the
strategy as published, the comparison the revision pages show for it (revisions.diff.compare of
the published state and the state the draft would publish) and whether a draft is already open.
draft_revision_from_snapshot(...) writes it: a new draft revision holding the plan's changes as
RevisionChange rows, exactly as the revision forms save them, so the draft's page, the
comparison, the rules and publishing treat it like any other draft. All or nothing."""

from dataclasses import dataclass

from django.db import transaction

from kpis.access import locked_fiscal_years
from kpis.models import Department, Strategy
from revisions import period
from revisions.desired import NO_CHANGES, Plan, Refusal, fingerprint, plan_changes
from revisions.diff import Comparison, compare
from revisions.models import Revision, RevisionChange
from revisions.services import RevisionError, create_revision
from revisions.snapshot import take_snapshot


class PreviewOutdated(RevisionError):
    """The strategy changed between the preview and the confirmation."""


OUTDATED = (
    "プレビューを表示した後に総合戦略の内容が変わったため、取り込みませんでした。"
    "変更の一覧をもう一度確かめてから取り込んでください。"
)


@dataclass
class Preview:
    plan: Plan
    comparison: Comparison
    open_draft: Revision | None

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.plan)

    @property
    def can_import(self) -> bool:
        return self.plan.ok and bool(self.plan.changes) and self.open_draft is None


def _next_number(strategy) -> int:
    last = Revision.objects.filter(strategy=strategy).order_by("-number").first()
    return (last.number + 1) if last else 1


def preview_import(strategy, snapshot) -> Preview:
    """What importing `snapshot` as a draft revision of `strategy` would record and show."""
    before = take_snapshot(strategy)
    locked = locked_fiscal_years(strategy)
    plan = plan_changes(
        before,
        snapshot,
        revision_number=_next_number(strategy),
        locked=locked,
        departments=set(Department.objects.values_list("name", flat=True)),
    )
    for change in plan.changes:  # a shortened period must not drop a year with actuals
        for message in period.check_live(strategy, change, locked):
            plan.refusals.append(Refusal(None, period.KEY, "last_fiscal_year", message, "総合戦略"))
    open_draft = Revision.objects.filter(strategy=strategy).drafts().defer("snapshot").first()
    return Preview(plan, compare(before, plan.after), open_draft)


@transaction.atomic
def draft_revision_from_snapshot(
    *,
    strategy,
    snapshot,
    user,
    title,
    reason="",
    decided_by=Revision.Body.HEADQUARTERS,
    decided_on=None,
    expected=None,
    note="",
) -> Revision | None:
    """A new draft revision with the changes that turn `strategy` (as published) into
    `snapshot`. None when there is nothing to change (「変更はありません」). `expected`: the
    fingerprint the preview showed; a plan that came out otherwise raises PreviewOutdated.
    `note`: kept on every change (e.g. which file it came from).
    Raises RevisionError with every refusal (nothing is saved)."""
    # Serialises imports and revision writes on the strategy (create_revision locks it too).
    strategy = Strategy.objects.select_for_update().get(pk=strategy.pk)
    preview = preview_import(strategy, snapshot)
    if expected is not None and expected != preview.fingerprint:
        raise PreviewOutdated(OUTDATED)
    if preview.plan.refusals:
        raise RevisionError([r.message for r in preview.plan.refusals])
    if not preview.plan.changes:
        return None
    revision = create_revision(
        strategy=strategy,
        user=user,
        title=title,
        reason=reason,
        decided_by=decided_by,
        decided_on=decided_on,
    )
    for planned in preview.plan.changes:
        change = RevisionChange(revision=revision, author=user, note=note, **planned.as_fields())
        change._history_user = user
        change.save()
    return revision


__all__ = ["NO_CHANGES", "PreviewOutdated", "draft_revision_from_snapshot", "preview_import"]
