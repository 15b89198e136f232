"""Send the reminder and notice mails that are due (kpis/reminders.py). Run daily by the host's
scheduler (cron or a systemd timer, README「督促メール」); running it again sends nothing new."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kpis.reminders import send_due


class Command(BaseCommand):
    help = (
        "入力期限の督促、差戻し・確認のお知らせをメールで送ります（送信済みのものは送りません）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help="基準日（YYYY-MM-DD。既定は今日）")
        parser.add_argument("--days-before", type=int, help="期限の何日前から督促するか")
        parser.add_argument("--dry-run", action="store_true", help="送らずに一覧だけ表示する")

    def handle(self, *args, today=None, days_before=None, dry_run=False, **options):
        try:
            day = date.fromisoformat(today) if today else timezone.localdate()
        except ValueError:
            raise CommandError("--today は 2022-05-31 の形式で指定してください。") from None
        mails = send_due(today=day, days_before=days_before, dry_run=dry_run)
        for mail in mails:
            self.stdout.write(f"{mail.recipient.email}\t{mail.subject}")
        verb = "送信予定" if dry_run else "送信しました"
        self.stdout.write(f"{len(mails)}通のメールを{verb}。")
