"""What the two workbook imports (a new strategy, a draft revision) share between their preview
and their confirmation: the administrator's strategy, and the checked workbook held in the session
under a one-time token, for the same user and strategy only."""

import secrets

from django.utils.crypto import constant_time_compare

from revisions.views import ADMIN_ONLY

LOST = "確認済みの取込データが見つかりません。もう一度ファイルをアップロードしてください。"


def get_strategy_for_admin(request):
    """The strategy of the URL (resolved by kpis.access's middleware: 404 when unknown), 403
    unless the user may edit revisions."""
    access = request.access
    access.require(access.can_edit_revision, ADMIN_ONLY)
    return access.strategy


def hold(request, key: str, strategy, **data) -> str:
    """Keeps `data` for the confirmation; returns the token the confirmation form posts."""
    token = secrets.token_urlsafe(16)
    request.session[key] = {
        "token": token,
        "user": request.user.pk,
        "strategy": strategy.code,
        **data,
    }
    return token


def take(request, key: str, strategy) -> dict | None:
    """What `hold` kept, once (one try per preview), if the posted token, the user and the
    strategy are the same; otherwise None."""
    held = request.session.pop(key, None)
    token = request.POST.get("token", "")
    if (
        held
        and token
        and constant_time_compare(held.get("token", ""), token)
        and held.get("user") == request.user.pk
        and held.get("strategy") == strategy.code
    ):
        return held
    return None
