from django import forms

from kpis.entry.rules import validate_entry


class ActualForm(forms.Form):
    """One indicator's row on the entry page. Validation is kpis.entry.rules (shared with Excel)."""

    value = forms.CharField(label="実績値", required=False, max_length=40)
    not_measurable = forms.BooleanField(label="測定不能", required=False)
    not_measurable_reason = forms.CharField(label="測定不能の理由", required=False, max_length=500)
    data_year = forms.IntegerField(
        label="データの対象年", required=False, min_value=1900, max_value=2100
    )
    data_source = forms.CharField(label="出典", required=False, max_length=200)
    note = forms.CharField(
        label="要因分析・課題・今後の方向性",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm_outlier = forms.BooleanField(label="大きな変化を確認済み", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(
        self,
        *args,
        indicator,
        previous=None,
        outlier_threshold,
        submitting=False,
        read_only=False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        if read_only:  # a confirmed or locked row: the posted values are ignored, never saved
            for f in self.fields.values():
                f.disabled = True
        self.indicator = indicator
        self.previous = previous
        self.outlier_threshold = outlier_threshold
        self.submitting = submitting
        self.entry_values = None

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        values, errors = validate_entry(
            indicator_name=self.indicator.name,
            unit=self.indicator.unit,
            raw_value=data.get("value"),
            not_measurable=data.get("not_measurable", False),
            not_measurable_reason=data.get("not_measurable_reason", ""),
            data_year=data.get("data_year"),
            data_source=data.get("data_source", ""),
            note=data.get("note", ""),
            confirm_outlier=data.get("confirm_outlier", False),
            previous=self.previous,
            outlier_threshold=self.outlier_threshold,
            submitting=self.submitting,
            baseline=self.indicator.baseline_value,
            decimals=self.indicator.decimals,
            allow_negative=self.indicator.allow_negative,
        )
        for field, message in errors.items():
            self.add_error(field, message)
        self.entry_values = values
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="理由", max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReplyForm(forms.Form):
    """The clerk's answer to a send-back (差戻し), kept apart from 要因分析 (printed for the
    council). Shown only on returned rows; needed to submit the value again."""

    reply = forms.CharField(
        label="差戻しへの回答",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, indicator, submitting=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        self.submitting = submitting

    def clean_reply(self):
        reply = self.cleaned_data["reply"].strip()
        if self.submitting and not reply:
            raise forms.ValidationError(
                f"「{self.indicator.name}」：差し戻された実績値を提出するには、差戻しへの回答を入力してください。"
            )
        return reply


class DeadlineForm(forms.Form):
    entry_deadline = forms.DateField(
        label="入力期限",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "入力期限は 2022-05-31 の形式で入力してください。"},
    )


class LockForm(forms.Form):
    reason = forms.CharField(
        label="ロックする理由（未完了の実績値がある場合は必須。記録されます）",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
