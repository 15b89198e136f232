"""The filters of the project list: they only validate the query string."""

from django import forms

from kpis.models import BasicGoal, Measure

BADGES = [
    ("priority", "重点"),
    ("new", "R3 新規"),
    ("expanded", "R3 拡充"),
    ("private", "民間等"),
    ("hokkaido", "北海道"),
]


class MeasureChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.label}{obj.title[:30]}"


class GoalChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.label} {obj.get_package_display()}"


class ProjectFilterForm(forms.Form):
    goal = GoalChoiceField(
        label="基本目標",
        queryset=BasicGoal.objects.none(),
        required=False,
        to_field_name="number",
        empty_label="すべて",
    )
    measure = MeasureChoiceField(
        label="施策", queryset=Measure.objects.none(), required=False, empty_label="すべて"
    )
    badge = forms.ChoiceField(label="区分", choices=[("", "すべて")] + BADGES, required=False)
    q = forms.CharField(label="キーワード", required=False, max_length=100)

    def __init__(self, *args, strategy, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = BasicGoal.objects.filter(strategy=strategy).order_by(
            "number"
        )
        self.fields["measure"].queryset = (
            Measure.objects.filter(policy__basic_goal__strategy=strategy)
            .select_related("policy__basic_goal")
            .order_by("policy__basic_goal__number", "policy__order", "number")
        )
        for name in ("goal", "measure", "badge"):
            self.fields[name].error_messages["invalid_choice"] = "選択肢から選んでください。"
