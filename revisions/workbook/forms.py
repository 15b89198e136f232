"""The strategy workbook's upload form: like the entry template's, it only checks the file."""

from django import forms

from kpis.excel.forms import UploadForm


class StrategyWorkbookForm(UploadForm):
    as_next = forms.BooleanField(
        label="この総合戦略の次期戦略として取り込む（同じコードの指標の系譜を引き継ぎます）",
        required=False,
        initial=True,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].label = "総合戦略のブック（.xlsx、2MBまで）"
