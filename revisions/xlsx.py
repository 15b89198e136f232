"""The comparison of two revisions as an .xlsx for the council (openpyxl).

Every text cell goes through kpis.excel.neutralise: a name or note starting with = + - @ opens in
Excel as text, never as a formula."""

from openpyxl import Workbook

from kpis.excel import workbook as book
from kpis.excel.neutralise import neutralise
from kpis.excel.workbook import XLSX, download_response

HEADERS = ["基本目標", "区分", "対象", "コード", "名称", "項目", "変更前", "変更後", "適用年度"]
WIDTHS = [14, 10, 14, 22, 40, 16, 30, 30, 12]


def _revision_text(revision) -> str:
    text = f"{revision.label}「{revision.title}」"
    if revision.is_draft:
        return text + "（作成中）"
    if revision.decided_on:
        text += f"（{revision.decided_on:%Y年%m月%d日} {revision.get_decided_by_display()}）"
    return text


def comparison_workbook(strategy, old, new, comparison) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "改訂の比較"
    book.title(ws, f"{strategy.name} 改訂の比較")
    ws.append([neutralise(f"比較元：{_revision_text(old)}")])
    ws.append([neutralise(f"比較先：{_revision_text(new)}")])
    counts = comparison.counts
    ws.append([f"追加 {counts['added']}件・廃止 {counts['removed']}件・変更 {counts['changed']}件"])
    ws.append([])
    ws.append(HEADERS)
    header_row = ws.max_row
    book.header_row(ws, header_row, HEADERS, WIDTHS)
    for group in comparison.groups:
        for item in group.items:
            unit = item.unit
            ws.append(
                [
                    neutralise(group.label),
                    item.action_label,
                    item.kind_label,
                    neutralise(item.key),
                    neutralise(item.name),
                    neutralise(item.field),
                    neutralise(f"{item.old}{unit}" if item.old and item.old != "−" else item.old),
                    neutralise(f"{item.new}{unit}" if item.new and item.new != "−" else item.new),
                    f"{item.from_year}年度から" if item.from_year else "",
                ]
            )
    if not comparison.total:
        ws.append(["変更はありません。"])
    for row in ws.iter_rows(min_row=header_row + 1):
        for cell in row:
            cell.alignment = book.WRAP
    book.freeze_below(ws, header_row)
    return book.to_bytes(wb)


def comparison_response(strategy, old, new, comparison):
    """The comparison as a download: 改訂の比較_nemuro-2_1-2.xlsx."""
    content = comparison_workbook(strategy, old, new, comparison)
    filename = f"改訂の比較_{strategy.code}_{old.number}-{new.number}.xlsx"
    return download_response(content, filename, XLSX)
