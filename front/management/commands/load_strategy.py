from pathlib import Path

from django.core.management.base import BaseCommand

from front.loading import DEFAULT_DIRECTORY, load_strategy


class Command(BaseCommand):
    help = (
        "総合戦略（fixtures/nemuro2/）をデータベースに読み込みます。何度実行しても結果は同じです。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--directory", type=Path, default=DEFAULT_DIRECTORY)

    def handle(self, *args, directory, **options):
        report = load_strategy(directory=directory)
        for note in report.notes:
            self.stdout.write(note)
        if not report.changed:
            self.stdout.write("変更はありません（すでに読み込み済みです）。")
            return
        for name, n in report.created.items():
            self.stdout.write(f"追加: {name} {n}件")
        for name, n in report.updated.items():
            self.stdout.write(f"更新: {name} {n}件")
