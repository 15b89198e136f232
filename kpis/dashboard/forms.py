"""The overview table's GET filter form. It only validates; filtering is selectors.filter_rows."""

from django import forms

from kpis.models import Indicator

ALL = [("", "すべて")]


class FilterForm(forms.Form):
    goal = forms.ChoiceField(label="基本目標", required=False)
    policy = forms.ChoiceField(label="施策", required=False)
    department = forms.ChoiceField(label="担当課", required=False)
    grade = forms.ChoiceField(label="評価", required=False)
    direction = forms.ChoiceField(
        label="改善の方向", required=False, choices=ALL + list(Indicator.Direction.choices)
    )

    FIELDS = ("goal", "policy", "department", "grade", "direction")

    def __init__(self, data, *, goals, policies, departments, grades):
        super().__init__(data)
        self.fields["goal"].choices = ALL + [(str(g.number), f"{g.label}") for g in goals]
        self.fields["policy"].choices = ALL + [
            (str(p.pk), f"{p.basic_goal.label} {p.label}{p.title}") for p in policies
        ]
        self.fields["department"].choices = (
            ALL + [(str(d.pk), d.name) for d in departments] + [("none", "担当課未設定")]
        )
        self.fields["grade"].choices = ALL + [(g.label, g.text) for g in grades]

    def filters(self):
        """The valid, non-empty filters (an invalid one is shown as an error and left off)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {k: data[k] for k in self.FIELDS if data.get(k)}

    def describe(self):
        """'基本目標：基本目標-1、評価：A ◎ 目標達成' for the Excel sheet."""
        parts = []
        for name, value in self.filters().items():
            label = dict(self.fields[name].choices).get(value, value)
            parts.append(f"{self.fields[name].label}：{label}")
        return "、".join(parts)
