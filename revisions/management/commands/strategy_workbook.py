"""The strategy workbook from the command line, for an installation that has no strategy yet (the
pages live under a strategy's URL):

    manage.py strategy_workbook blank 総合戦略.xlsx
    manage.py strategy_workbook export nemuro-2 nemuro-2.xlsx [--revision 1]
    manage.py strategy_workbook import 総合戦略.xlsx --user admin [--previous nemuro-2]

import creates the strategy with a draft 第1版 (publish it on the revision page), exactly as the
page does; a refused workbook prints every problem with sheet, row and column and saves nothing."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from kpis.models import Strategy
from revisions import services
from revisions.models import Revision
from revisions.snapshot import take_snapshot
from revisions.workbook.export import blank_template, export_strategy_workbook
from revisions.workbook.reader import read_strategy_workbook


class Command(BaseCommand):
    help = "総合戦略のExcelブック：空のテンプレート・エクスポート・新しい総合戦略としての取込"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        blank = sub.add_parser("blank", help="空のテンプレートを書き出します")
        blank.add_argument("path", type=Path)
        export = sub.add_parser("export", help="総合戦略（または改訂の時点）を書き出します")
        export.add_argument("code")
        export.add_argument("path", type=Path)
        export.add_argument("--revision", type=int)
        imp = sub.add_parser("import", help="ブックを新しい総合戦略として取り込みます")
        imp.add_argument("path", type=Path)
        imp.add_argument("--user", required=True, help="作成者（管理者）のユーザー名")
        imp.add_argument("--previous", help="前期の総合戦略のコード（指標の系譜を引き継ぎます）")

    def handle(self, *args, action, path, **options):
        if action == "blank":
            path.write_bytes(blank_template())
        elif action == "export":
            path.write_bytes(self._export(options["code"], options.get("revision")))
        else:
            revision = self._import(path, options["user"], options.get("previous"))
            self.stdout.write(
                f"{revision.strategy.name}（{revision.strategy.code}）を作成しました。"
                f"改訂のページで{revision.label}を公開してください。"
            )
            return
        self.stdout.write(f"{path} を書き出しました。")

    def _export(self, code, number):
        strategy = Strategy.objects.filter(code=code).first()
        if strategy is None:
            raise CommandError(f"コード「{code}」の総合戦略はありません。")
        if number is None:
            return export_strategy_workbook(take_snapshot(strategy))
        revision = Revision.objects.filter(strategy=strategy, number=number).first()
        if revision is None or not revision.is_published or revision.snapshot is None:
            raise CommandError(f"公開済みの第{number}版はありません。")
        return export_strategy_workbook(revision.snapshot, revision=number)

    def _import(self, path, username, previous_code):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"ユーザー「{username}」はいません。")
        previous = None
        if previous_code:
            previous = Strategy.objects.filter(code=previous_code).first()
            if previous is None:
                raise CommandError(f"コード「{previous_code}」の総合戦略はありません。")
        result = read_strategy_workbook(path.read_bytes())
        if not result.ok:
            raise CommandError("取り込めません（何も保存していません）:\n" + _lines(result.errors))
        try:
            return services.import_new_strategy(
                snapshot=result.snapshot, user=user, settings_from=previous, predecessor=previous
            )
        except services.RevisionError as e:
            raise CommandError(
                "取り込めません（何も保存していません）:\n" + _lines(e.messages)
            ) from None


def _lines(problems) -> str:
    return "\n".join(f"  {p}" for p in problems)
