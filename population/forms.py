"""Forms only validate: the entry form applies population.rules; the upload form takes a file."""

from django import forms

from population.models import DATA_SOURCES, Category
from population.rules import ENTRY_CATEGORIES, unit_of, validate_year_figures

_HELP = {
    Category.TOTAL: "例：24,512 または ２４５１２",
    Category.TFR: "例：1.53（単位なし）",
}


class PopulationEntryForm(forms.Form):
    """One year's actual figures. Numbers are typed as text so full-width digits and commas work."""

    # Not `required`: population.rules says what is missing, naming the field, in one place.
    year = forms.CharField(label="年（西暦）", max_length=10, required=False, help_text="例：2020")
    data_source = forms.ChoiceField(
        label="データの出所",
        choices=[(s, s) for s in DATA_SOURCES],
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for category in ENTRY_CATEGORIES:
            unit = unit_of(category)
            self.fields[category.value] = forms.CharField(
                label=Category(category).label + (f"（{unit}）" if unit else ""),
                required=False,
                max_length=30,
                help_text=_HELP.get(category, ""),
                widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
            )

    def figure_fields(self):
        return [self[c.value] for c in ENTRY_CATEGORIES]

    def clean(self):
        cleaned = super().clean()
        figures, errors = validate_year_figures(
            year=self.data.get("year", ""),
            data_source=self.data.get("data_source", ""),
            raw_values={c.value: cleaned.get(c.value, "") for c in ENTRY_CATEGORIES},
        )
        for name, message in errors.items():
            if name in self.errors:
                continue  # the field's own check already said so
            self.add_error(None if name == "__all__" else name, message)
        cleaned["figures"] = figures
        return cleaned


class PopulationUploadForm(forms.Form):
    file = forms.FileField(
        label="ファイル（.xlsx または .csv、2MBまで）",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
        error_messages={"required": "ファイルを選んでください。", "empty": "ファイルが空です。"},
    )
