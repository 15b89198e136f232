"""Forms only validate: an opinion for a fiscal year of the strategy, and a response."""

from django import forms

from kpis.fiscal import fiscal_year_label

MAX_LENGTH = 4000


class OpinionForm(forms.Form):
    fiscal_year = forms.TypedChoiceField(label="対象年度", coerce=int)
    body = forms.CharField(
        label="意見",
        max_length=MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "意見を入力してください。"},
    )

    def __init__(self, *args, strategy, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fiscal_year"].choices = [
            (y, fiscal_year_label(y)) for y in strategy.fiscal_years
        ]
        self.fields["fiscal_year"].error_messages["invalid_choice"] = (
            f"対象年度は計画期間（{strategy.period_label}）から選んでください。"
        )

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError("意見を入力してください。")
        return body


class ResponseForm(forms.Form):
    body = forms.CharField(
        label="対応方針",
        max_length=MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "対応方針を入力してください。"},
    )

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError("対応方針を入力してください。")
        return body
