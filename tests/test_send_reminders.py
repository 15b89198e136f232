"""manage.py send_reminders: deadline reminders and send-back/confirmation notices, each once."""

import io
import socket
from datetime import date, timedelta

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from kpis import services
from kpis.models import Actual, Indicator, SentMail, YearReview

pytestmark = pytest.mark.django_db
DEADLINE = date(2022, 5, 31)


@pytest.fixture
def assigned(strategy, fisheries, tourism, alice, mallory):
    alice.email, mallory.email = "alice@city.nemuro.example", "mallory@city.nemuro.example"
    alice.save(), mallory.save()
    Indicator.objects.filter(code__startswith="1-ア-1-").update(department=fisheries)
    Indicator.objects.filter(code="1-ア-2-1").update(department=tourism)
    return list(Indicator.objects.filter(code__startswith="1-ア-1-").order_by("code"))


def _run(today, *args):
    out = io.StringIO()
    call_command("send_reminders", f"--today={today}", *args, stdout=out)
    return out.getvalue()


def _deadline(strategy, fy=2021, when=DEADLINE):
    YearReview.objects.create(strategy=strategy, fiscal_year=fy, entry_deadline=when)


def test_it_reminds_departments_with_missing_values_a_week_before_the_deadline(strategy, assigned):
    _deadline(strategy)
    _run(DEADLINE - timedelta(days=8))
    assert mail.outbox == []  # too early
    out = _run(DEADLINE - timedelta(days=7))
    assert sorted(m.to[0] for m in mail.outbox) == [
        "alice@city.nemuro.example",
        "mallory@city.nemuro.example",
    ]
    alices = next(m for m in mail.outbox if m.to == ["alice@city.nemuro.example"])
    assert "【入力期限のお知らせ】" in alices.subject and "水産振興課" in alices.subject
    assert "期限は2022年5月31日です" in alices.body
    assert "未入力 4件" in alices.body
    assert "/strategies/nemuro-2/entry/2021/" in alices.body
    assert "2通のメールを送信しました。" in out


def test_running_it_twice_sends_nothing_the_second_time(strategy, assigned):
    _deadline(strategy)
    _run(DEADLINE - timedelta(days=3))
    assert len(mail.outbox) == 2
    out = _run(DEADLINE - timedelta(days=3))
    assert len(mail.outbox) == 2
    assert "0通のメールを送信しました。" in out
    _run(DEADLINE - timedelta(days=1))  # the days before: the reminder was sent once already
    assert len(mail.outbox) == 2
    assert SentMail.objects.count() == 2


def test_after_the_deadline_it_reminds_once_a_week(strategy, assigned):
    _deadline(strategy)
    _run(DEADLINE + timedelta(days=1))
    assert len(mail.outbox) == 2
    assert "【入力期限超過】" in mail.outbox[0].subject
    _run(DEADLINE + timedelta(days=6))
    assert len(mail.outbox) == 2
    _run(DEADLINE + timedelta(days=7))
    assert len(mail.outbox) == 4


def test_a_department_that_submitted_everything_is_not_reminded(strategy, assigned, alice):
    _deadline(strategy)
    for ind in assigned:
        Actual.objects.create(indicator=ind, fiscal_year=2021, value=1, status="submitted")
    _run(DEADLINE)
    assert [m.to for m in mail.outbox] == [["mallory@city.nemuro.example"]]


def test_a_locked_year_or_one_without_deadline_is_not_reminded(strategy, assigned):
    _deadline(strategy)
    YearReview.objects.filter(fiscal_year=2021).update(is_locked=True)
    _run(DEADLINE)
    assert mail.outbox == []


def test_a_clerk_without_an_address_is_skipped(strategy, assigned, alice):
    alice.email = ""
    alice.save()
    _deadline(strategy)
    _run(DEADLINE)
    assert [m.to for m in mail.outbox] == [["mallory@city.nemuro.example"]]


def test_a_clerk_is_told_when_a_value_is_returned_and_when_one_is_confirmed(
    strategy, assigned, bob
):
    a = Actual.objects.create(indicator=assigned[2], fiscal_year=2021, value=9, status="submitted")
    b = Actual.objects.create(
        indicator=assigned[0], fiscal_year=2021, value=25000, status="submitted"
    )
    services.return_actual(actual=a, user=bob, reason="2021年度の取得者数を確認してください")
    today = timezone.localdate()
    _run(today)
    assert [m.to for m in mail.outbox] == [["alice@city.nemuro.example"]]
    returned = mail.outbox[0]
    assert returned.subject == "【差戻し】実績値が事務局から差し戻されました"
    assert "2021年度の取得者数を確認してください" in returned.body
    assert "差戻しへの回答" in returned.body
    services.confirm_actuals(strategy=strategy, fiscal_year=2021, actual_ids=[b.pk], user=bob)
    _run(today)
    assert len(mail.outbox) == 2
    confirmed = mail.outbox[1]
    assert confirmed.subject == "【確認済み】実績値が事務局で確認されました"
    assert "沿岸漁業における生産量" in confirmed.body
    assert "差し戻" not in confirmed.body  # the earlier notice is not repeated
    _run(today)
    assert len(mail.outbox) == 2


def test_dry_run_sends_and_records_nothing(strategy, assigned):
    _deadline(strategy)
    out = _run(DEADLINE, "--dry-run")
    assert mail.outbox == [] and SentMail.objects.count() == 0
    assert "2通のメールを送信予定。" in out


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


def test_it_delivers_through_a_real_smtp_server(strategy, assigned, settings):
    """Django's SMTP backend talks to an aiosmtpd server on 127.0.0.1: what arrives is what
    was sent, and nothing arrives the second time."""
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
        settings.DEFAULT_FROM_EMAIL = "kpi@city.nemuro.example"
        _deadline(strategy)
        _run(DEADLINE)
        _run(DEADLINE)
    finally:
        controller.stop()
    assert sorted(e.rcpt_tos[0] for e in inbox.messages) == [
        "alice@city.nemuro.example",
        "mallory@city.nemuro.example",
    ]
    from email import message_from_bytes, policy

    message = message_from_bytes(inbox.messages[0].content, policy=policy.default)
    assert message["From"] == "kpi@city.nemuro.example"
    assert "入力期限" in message["Subject"]
    assert "期限は2022年5月31日です" in message.get_body().get_content()


def _mail_settings(env):
    """The mail settings as `manage.py shell` sees them under `env` (a fresh process)."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import json; from django.conf import settings as s; print(json.dumps("
        "[s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, s.DEFAULT_FROM_EMAIL]))"
    )
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("EMAIL_", "DEFAULT_FROM"))}
    r = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=Path(__file__).resolve().parents[1],
        env={**keep, "SECRET_KEY": "k" * 50, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1])


def test_make_run_prints_mails_and_production_uses_smtp_from_the_environment():
    backend = _mail_settings({"DEBUG": "1"})[0]
    assert backend == "django.core.mail.backends.console.EmailBackend"
    assert _mail_settings(
        {
            "DEBUG": "0",
            "EMAIL_HOST": "smtp.city.example",
            "EMAIL_PORT": "587",
            "EMAIL_USE_TLS": "1",
            "DEFAULT_FROM_EMAIL": "kpi@city.example",
        }
    ) == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.city.example",
        587,
        True,
        "kpi@city.example",
    ]


def test_when_the_smtp_server_is_down_nothing_is_recorded_and_the_next_run_sends(
    strategy, assigned, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _free_port()  # nobody listens
    settings.EMAIL_TIMEOUT = 5
    _deadline(strategy)
    with pytest.raises(OSError):
        _run(DEADLINE)
    assert SentMail.objects.count() == 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _run(DEADLINE)
    assert len(mail.outbox) == 2 and SentMail.objects.count() == 2


def test_a_mail_another_run_has_claimed_is_not_sent_again(strategy, assigned, alice):
    """Two overlapping runs read the same due mails; only the first to record the keys sends."""
    from kpis.reminders import _claim, due_mails

    _deadline(strategy)
    first_run = due_mails(today=DEADLINE)
    second_run = due_mails(today=DEADLINE)
    assert [_claim(m) for m in first_run] == [True, True]
    assert [_claim(m) for m in second_run] == [False, False]
    assert SentMail.objects.count() == 2
