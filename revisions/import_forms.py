"""The form of 「Excelのブックから改訂を作成」: the new revision's title and reason (as the revision form)
and the workbook. It only validates; the file itself is checked by the workbook reader
(revisions.workbook.reader: the same upload protections as the actuals template)."""

import copy

from kpis.excel.forms import UploadForm
from revisions.forms import RevisionForm


class WorkbookImportForm(RevisionForm):
    # the entry template's file field (its errors and accepted types); the reader makes the
    # upload checks
    file = copy.deepcopy(UploadForm.base_fields["file"])
    file.label = "総合戦略のExcelファイル（.xlsx）"
    file.help_text = "この総合戦略から書き出したファイルを編集したもの。"

    class Meta(RevisionForm.Meta):
        help_texts = {
            **RevisionForm.Meta.help_texts,
            "title": "例：第３期に向けた指標の見直し（Excelで作成）",
        }

    def revision_fields(self) -> dict:
        """The new revision's fields, as JSON can keep them between preview and confirmation."""
        d = self.cleaned_data
        return {
            "title": d["title"],
            "reason": d.get("reason", ""),
            "decided_by": d["decided_by"],
            "decided_on": d["decided_on"].isoformat() if d.get("decided_on") else None,
        }
