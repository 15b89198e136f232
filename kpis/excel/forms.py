"""The upload form: it only checks the file (type, size, macros, zip bombs); nothing is saved."""

from django import forms

from kpis.excel.reader import UploadRefused, check_file_info, check_zip


class UploadForm(forms.Form):
    file = forms.FileField(
        label="入力済みの入力用シート（.xlsx、2MBまで）",
        error_messages={
            "required": "ファイルを選択してください。",
            "empty": "ファイルが空です。",
            "invalid": "ファイルを選択してください。",
        },
        widget=forms.FileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_file_info(
                name=upload.name,
                content_type=getattr(upload, "content_type", ""),
                size=upload.size,
            )
            upload.seek(0)
            self.data_bytes = upload.read()
            check_zip(self.data_bytes)
        except UploadRefused as e:
            raise forms.ValidationError(e.message) from None
        return upload
