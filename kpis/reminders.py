"""The mails the secretariat would otherwise write by hand, sent by `manage.py send_reminders`
(run daily by the host's scheduler; README「督促メール」):

- before an entry deadline (REMINDER_DAYS_BEFORE days, default 7) and weekly after it, to the
  clerks of every department with missing, draft or returned values for that year;
- to the clerks of a department when one of its values was sent back (差戻し) or confirmed.

Each mail is recorded under keys naming what it was about (SentMail): a key already recorded is
never mailed again, so running the command twice sends nothing the second time."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from kpis import roles, year_status
from kpis.fiscal import fiscal_year_label
from kpis.models import Actual, Department, SentMail, Strategy, WorkflowEvent

# Send-back and confirmation notices look this far back, so that the first run on a server with
# years of history does not mail every old event.
EVENT_WINDOW = timedelta(days=14)


@dataclass
class Mail:
    recipient: object  # User
    subject: str
    lines: list = field(default_factory=list)
    keys: list = field(default_factory=list)

    @property
    def body(self):
        name = self.recipient.get_full_name() or self.recipient.username
        footer = (
            "\n\n――\nこのメールは根室市総合戦略 進捗管理システムから自動送信しています。"
            "\n返信は届きません。ご不明な点は総合政策部（事務局）へお問い合わせください。"
        )
        return f"{name} 様\n\n" + "\n".join(self.lines) + footer


def _date(d):
    return f"{d.year}年{d.month}月{d.day}日"  # 2022年5月31日, as the city writes dates


def _url(name, *args):
    return settings.SITE_URL + reverse(name, args=args)


def _clerks(department_ids):
    """{department_id: [active clerks with an email address]}: 1 query."""
    members = defaultdict(list)
    for d in Department.objects.filter(pk__in=department_ids).prefetch_related("members__groups"):
        for user in d.members.all():
            if user.is_active and user.email and roles.is_clerk(user):
                members[d.pk].append(user)
    return members


def _deadline_mails(strategy, today, days_before):
    """Reminders around each open year's deadline for departments with open work."""
    reviews = year_status.reviews(strategy)
    years = {
        fy: r.entry_deadline
        for fy, r in reviews.items()
        if r.entry_deadline
        and not r.is_locked
        and today >= r.entry_deadline - timedelta(days_before)
    }
    if not years:
        return []
    counts = year_status.counts_by_department_and_year(strategy)
    clerks = _clerks(counts)
    names = year_status.departments_by_id(counts)
    mails = []
    for department_id, per_year in counts.items():
        for yc in per_year:
            deadline = years.get(yc.fiscal_year)
            if deadline is None or not yc.open_work:
                continue
            days_over = (today - deadline).days
            if days_over <= 0:
                kind, when = "due", f"期限は{_date(deadline)}です"
                # once per deadline: setting a new date reminds again
                key = f"due:{strategy.pk}:{yc.fiscal_year}:{department_id}:{deadline}"
            else:
                kind, when = (
                    "overdue",
                    f"期限（{_date(deadline)}）を{days_over}日過ぎています",
                )
                key = f"overdue:{strategy.pk}:{yc.fiscal_year}:{department_id}:{deadline}:w{days_over // 7}"
            label = fiscal_year_label(yc.fiscal_year)
            counts_text = "・".join(
                f"{lbl} {n}件" for lbl, s, n in yc.items() if s in ("missing", "draft", "returned")
            )
            for user in clerks.get(department_id, []):
                mails.append(
                    Mail(
                        recipient=user,
                        subject=(
                            f"【入力期限{'超過' if kind == 'overdue' else 'のお知らせ'}】"
                            f"{label}の実績値（{names[department_id].name}）"
                        ),
                        lines=[
                            f"{names[department_id].name}の{label}の実績値の提出について、{when}。",
                            f"まだ提出されていない実績値があります：{counts_text}。",
                            "",
                            f"入力画面：{_url('entry', strategy.code, yc.fiscal_year, department_id)}",
                        ],
                        keys=[f"{key}:{user.pk}"],
                    )
                )
    return mails


def _event_mails(strategy, now, sent):
    """One mail per clerk listing the values of their departments returned or confirmed since
    the last run."""
    events = list(
        WorkflowEvent.objects.filter(
            strategy=strategy,
            action__in=[WorkflowEvent.Action.RETURN, WorkflowEvent.Action.CONFIRM],
            at__gte=now - EVENT_WINDOW,
            actual__indicator__department__isnull=False,
        )
        .select_related("actual__indicator")
        .order_by("at", "id")
    )
    clerks = _clerks({e.actual.indicator.department_id for e in events})
    per_user = {}
    for e in events:
        actual = e.actual
        if e.action == WorkflowEvent.Action.RETURN and actual.status == Actual.Status.CONFIRMED:
            continue  # settled since: nothing to do for the clerk
        for user in clerks.get(actual.indicator.department_id, []):
            key = f"event:{e.pk}:{user.pk}"
            if key in sent:
                continue
            mail = per_user.setdefault(
                user.pk, Mail(recipient=user, subject="【実績値】差戻し・確認のお知らせ")
            )
            link = _url("entry", strategy.code, actual.fiscal_year, actual.indicator.department_id)
            if e.action == WorkflowEvent.Action.RETURN:
                mail.lines += [
                    f"■ 差戻し：{actual.fiscal_year}年度「{actual.indicator.name}」",
                    f"  理由：{e.reason}",
                    f"  入力画面の「差戻しへの回答」に回答し、提出し直してください：{link}",
                ]
            else:
                mail.lines.append(
                    f"■ 確認済み：{actual.fiscal_year}年度「{actual.indicator.name}」"
                )
            mail.keys.append(key)
    for mail in per_user.values():
        if any(line.startswith("■ 差戻し") for line in mail.lines):
            mail.subject = "【差戻し】実績値が事務局から差し戻されました"
        else:
            mail.subject = "【確認済み】実績値が事務局で確認されました"
    return list(per_user.values())


def due_mails(*, today: date, now=None, days_before: int | None = None) -> list[Mail]:
    """Every mail due today whose keys were not sent yet."""
    now = now or timezone.now()
    days_before = settings.REMINDER_DAYS_BEFORE if days_before is None else days_before
    # A few mails per clerk and week: the whole log fits in memory for the life of a strategy.
    sent = set(SentMail.objects.values_list("key", flat=True))
    mails = []
    for strategy in Strategy.objects.all():
        mails += [
            m for m in _deadline_mails(strategy, today, days_before) if not set(m.keys) <= sent
        ]
        mails += _event_mails(strategy, now, sent)
    return mails


def _claim(mail) -> bool:
    """Record the mail's keys before sending: a run overlapping this one (a slow cron job and a
    manual run) finds them taken and skips the mail, so it never goes twice."""
    try:
        with transaction.atomic():
            SentMail.objects.bulk_create(
                [SentMail(key=k, recipient=mail.recipient, subject=mail.subject) for k in mail.keys]
            )
    except IntegrityError:
        return False
    return True


def send_due(*, today: date, days_before: int | None = None, dry_run=False) -> list[Mail]:
    """Send what is due and record it. A mail that could not be sent (SMTP down) is un-recorded
    and the error raised: the next run sends it and whatever came after it."""
    mails = due_mails(today=today, days_before=days_before)
    if dry_run or not mails:
        return mails
    sent = []
    with get_connection() as connection:
        for mail in mails:
            if not _claim(mail):
                continue
            try:
                EmailMessage(
                    subject=mail.subject,
                    body=mail.body,
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    to=[mail.recipient.email],
                    connection=connection,
                ).send()
            except Exception:
                SentMail.objects.filter(key__in=mail.keys).delete()
                raise
            sent.append(mail)
    return sent
