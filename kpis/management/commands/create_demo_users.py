from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError

from kpis import roles
from kpis.models import Department, Indicator

DEMO_PASSWORD = "nemuro-demo-2021"
DEMO_DEPARTMENT = "（デモ）水産振興課"
DEMO_POLICY_DEPARTMENT = "（デモ）総合政策課"
# The document names no 担当課; the demo gives the clerk the fisheries KPIs and parks the rest
# with a demo policy department, only where nothing is assigned yet.
DEMO_FISHERIES_CODES = ["1-ア-1-1", "1-ア-1-2", "1-ア-1-3", "1-ア-1-4", "1-ア-5-1", "1-ア-5-2"]
DEMO_USERS = [
    # username, full name, role
    ("clerk", "入力 花子（デモ・入力担当）", roles.CLERK),
    ("secretariat", "総合 政策（デモ・事務局）", roles.SECRETARIAT),
    ("council", "有識 太郎（デモ・有識者）", roles.COUNCIL),
    ("admin", "管理 者（デモ・管理者）", roles.ADMINISTRATOR),
]


class Command(BaseCommand):
    help = "開発用：役割ごとのデモアカウントを作成し、ログイン情報を表示します（本番では使用しないでください）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="DEBUG=0 でも作成する（テスト環境用）"
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("デモアカウントは開発環境（DEBUG=1）でのみ作成できます。")
        department, _ = Department.objects.get_or_create(name=DEMO_DEPARTMENT)
        policy_department, _ = Department.objects.get_or_create(name=DEMO_POLICY_DEPARTMENT)
        unassigned = Indicator.objects.filter(department__isnull=True)
        unassigned.filter(code__in=DEMO_FISHERIES_CODES).update(department=department)
        unassigned.update(department=policy_department)
        self.stdout.write("デモアカウント（開発専用）:")
        for username, full_name, role in DEMO_USERS:
            user, _ = User.objects.get_or_create(username=username)
            user.last_name = full_name
            user.email = (
                f"{username}@example.jp"  # send_reminders prints to the console under make run
            )
            user.set_password(DEMO_PASSWORD)
            user.is_staff = role == roles.ADMINISTRATOR
            user.is_superuser = role == roles.ADMINISTRATOR
            user.save()
            user.groups.set([Group.objects.get(name=role)])
            if role == roles.CLERK:
                department.members.add(user)
            self.stdout.write(
                f"  {role:　<5} ユーザー名: {username:<12} パスワード: {DEMO_PASSWORD}"
            )
