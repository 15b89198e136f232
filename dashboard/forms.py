"""The overview table's GET filter form. It only validates; filtering is selectors.filter_rows."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join

from kpis.models import Indicator

ALL = [("", "すべて")]


class PlainSelect(forms.Select):
    """A <select> written in one pass: Django renders every <option> through a template, which
    cost the overview ~5 ms for its 40 options (scripts/bench.py, the first request after a
    write). Same markup as forms.Select."""

    def render(self, name, value, attrs=None, renderer=None):
        value = "" if value is None else str(value)
        final = self.build_attrs(self.attrs, attrs) | {"name": name}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((str(v), " selected" if str(v) == value else "", label) for v, label in self.choices),
        )
        return format_html("<select{}>{}</select>", flatatt(final), options)


class FilterForm(forms.Form):
    goal = forms.ChoiceField(widget=PlainSelect, label="基本目標", required=False)
    policy = forms.ChoiceField(widget=PlainSelect, label="施策", required=False)
    department = forms.ChoiceField(widget=PlainSelect, label="担当課", required=False)
    grade = forms.ChoiceField(widget=PlainSelect, label="評価", required=False)
    direction = forms.ChoiceField(
        widget=PlainSelect,
        label="改善の方向",
        required=False,
        choices=ALL + list(Indicator.Direction.choices),
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
