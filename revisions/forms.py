"""Forms of the revision pages. They only read and check the typed values; what a change may do
is revisions/rules.py (checked by revisions.services.save_change), so the forms and publishing
refuse the same things with the same messages.

Each edit page is an operation (OPS): e.g. "indicator-target" changes an indicator's target and
baseline from a fiscal year; "listing-add" relists a project under another measure."""

import json
from dataclasses import dataclass

from django import forms

from kpis import numfmt
from kpis.entry.rules import MAX_ABS_VALUE
from kpis.models import BasicGoal, Indicator
from kpis.numbers import NumberParseError, parse_number
from revisions import period
from revisions.models import Revision
from revisions.snapshot import num
from revisions.state import (
    ADD,
    CHANGE,
    EDITABLE,
    GOAL,
    INDICATOR,
    LISTING,
    MEASURE,
    PERIOD,
    POLICY,
    PROJECT,
    RETIRE,
    decimals_of,
    find,
)

YEAR = {"min_value": 1990, "max_value": 2100}


class RevisionForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)

    class Meta:
        model = Revision
        fields = ["title", "reason", "decided_by", "decided_on"]
        widgets = {
            "reason": forms.Textarea(attrs={"rows": 3}),
            "decided_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "decided_on": "有識者会議・推進本部・市議会総務常任委員会で決定した日",
            "title": "例：沿岸漁業の生産量目標の上方修正",
        }


class NextStrategyForm(forms.Form):
    code = forms.SlugField(label="コード", max_length=40, help_text="例：nemuro-3（URLに使います）")
    name = forms.CharField(label="名称", max_length=200, help_text="例：第３期根室市創生総合戦略")
    first_fiscal_year = forms.IntegerField(label="計画期間（初年度）", **YEAR)
    last_fiscal_year = forms.IntegerField(label="計画期間（最終年度）", **YEAR)

    def clean(self):
        data = super().clean()
        first, last = data.get("first_fiscal_year"), data.get("last_fiscal_year")
        if first and last and last < first:
            self.add_error("last_fiscal_year", "計画期間の最終年度は初年度以降にしてください。")
        return data


# -- change forms ----------------------------------------------------------------------------


def _number(form, name, label, *, required, unit=""):
    """A typed figure (全角・カンマ・▲ も可) as canonical text, or a form error."""
    text = form.cleaned_data.get(name, "")
    try:
        value = parse_number(text, field=label, unit=unit)
    except NumberParseError as e:
        form.add_error(name, e.message)
        return None
    if value is None and required:
        form.add_error(name, f"{label}を入力してください。")
    if value is not None and abs(value) >= MAX_ABS_VALUE:
        # Indicator/IndicatorTarget values are DecimalField(max_digits=16, decimal_places=4).
        form.add_error(name, f"{label}：桁数が多すぎます。整数部分は12桁以内で入力してください。")
        return None
    return value


class ChangeForm(forms.Form):
    """Base: `before` is the published state, `after` the draft's state (both snapshots)."""

    note = forms.CharField(
        label="メモ（理由など）",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, initial=0)
    started_from = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, before, after, key=None, field=None, **kwargs):
        self.before, self.after, self.key, self.field_name = before, after, key, field
        super().__init__(*args, **kwargs)

    @property
    def strategy(self):
        return self.after["strategy"]

    def year_choices(self):
        s = self.strategy
        return [(y, f"{y}年度") for y in range(s["first_fiscal_year"], s["last_fiscal_year"] + 1)]

    def clean_started_from(self):
        # A hidden field: anything but the JSON the page wrote is a tampered form (was a 500).
        text = self.cleaned_data.get("started_from", "")
        if text:
            try:
                json.loads(text)
            except ValueError:
                raise forms.ValidationError(
                    "画面の内容を読み取れません。ページを開き直してから保存してください。"
                ) from None
        return text

    def started(self):
        text = self.cleaned_data.get("started_from")
        return json.loads(text) if text else None

    def changes(self) -> list[dict]:
        """save_change keyword arguments."""
        raise NotImplementedError


def _choices(items, label, blank=None):
    out = [("", blank)] if blank else []
    return out + [(i["key"], label(i)) for i in items]


def _goal_label(g):
    return f"基本目標-{g['number']} {g['title'][:30]}"


def _measure_label(m):
    return f"{m['key']} {m['title'][:30]}"


class TargetForm(ChangeForm):
    """指標の目標値・基準値を、ある年度から変更する."""

    target_value = forms.CharField(label="目標値", max_length=40)
    target_fiscal_year = forms.TypedChoiceField(label="目標年度", coerce=int)
    baseline_value = forms.CharField(
        label="基準値", max_length=40, required=False, help_text="空欄：基準値なし"
    )
    effective_from_year = forms.TypedChoiceField(
        label="適用開始年度",
        coerce=int,
        help_text="この年度から新しい目標値で評価します。それより前の年度は、当時の目標値で評価したままです。",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator = find(self.before, INDICATOR, self.key)
        # Any year may be chosen; the rules say which are outside the strategy period.
        years = [
            (y, f"{y}年度")
            for y in range(
                self.strategy["first_fiscal_year"] - 1, self.strategy["last_fiscal_year"] + 6
            )
        ]
        self.fields["target_fiscal_year"].choices = years
        self.fields["effective_from_year"].choices = years
        if self.indicator:
            unit = self.indicator["unit"]
            self.fields["target_value"].label = f"目標値（{unit}）" if unit else "目標値"
            self.fields["baseline_value"].label = f"基準値（{unit}）" if unit else "基準値"

    def changes(self):
        unit = self.indicator["unit"] if self.indicator else ""
        target = _number(self, "target_value", "目標値", required=True, unit=unit)
        baseline = _number(self, "baseline_value", "基準値", required=False, unit=unit)
        if self.errors:
            return []
        old_kind = self.indicator["baseline_kind"] if self.indicator else "none"
        old_baseline = self.indicator["baseline_value"] if self.indicator else None
        if baseline is None:
            kind = "none"
        elif num(baseline) == old_baseline and old_kind != "none":
            kind = old_kind
        else:
            kind = "stated"
        value = {
            "target_value": num(target),
            "target_fiscal_year": self.cleaned_data["target_fiscal_year"],
            "baseline_value": num(baseline),
            "baseline_kind": kind,
        }
        return [
            {
                "kind": INDICATOR,
                "action": CHANGE,
                "object_key": self.key,
                "field": "target",
                "new_value": value,
                "effective_from_year": self.cleaned_data["effective_from_year"],
            }
        ]


class FieldForm(ChangeForm):
    """One text item of a goal, policy, measure, indicator, project or listing."""

    value = forms.CharField(
        label="変更後", max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    kind = None

    def __init__(self, *args, kind, **kwargs):
        self.kind = kind
        super().__init__(*args, **kwargs)
        self.fields["value"].label = EDITABLE[kind].get(self.field_name, "変更後")

    def changes(self):
        return [
            {
                "kind": self.kind,
                "action": CHANGE,
                "object_key": self.key,
                "field": self.field_name,
                "new_value": self.cleaned_data["value"].strip(),
            }
        ]


class RetireForm(ChangeForm):
    retired_from_year = forms.TypedChoiceField(
        label="廃止年度",
        coerce=int,
        help_text="この年度から廃止します。それより前の年度の実績と評価はそのまま残ります。",
    )

    def __init__(self, *args, kind, **kwargs):
        self.kind = kind
        super().__init__(*args, **kwargs)
        self.fields["retired_from_year"].choices = self.year_choices()

    def changes(self):
        return [
            {
                "kind": self.kind,
                "action": RETIRE,
                "object_key": self.key,
                "effective_from_year": self.cleaned_data["retired_from_year"],
            }
        ]


class GoalAddForm(ChangeForm):
    number = forms.IntegerField(label="番号", min_value=1, max_value=20)
    title = forms.CharField(
        label="基本目標", max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    package = forms.ChoiceField(label="政策パッケージ", choices=BasicGoal.Package.choices)

    def changes(self):
        d = self.cleaned_data
        return [_add(GOAL, number=d["number"], title=d["title"].strip(), package=d["package"])]


class PolicyAddForm(ChangeForm):
    goal = forms.ChoiceField(label="基本目標")
    symbol = forms.CharField(label="記号", max_length=4, help_text="ア・イ・ウ …")
    title = forms.CharField(label="施策", max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goal"].choices = _choices(self.after["goals"], _goal_label)

    def changes(self):
        d = self.cleaned_data
        return [_add(POLICY, goal=d["goal"], symbol=d["symbol"].strip(), title=d["title"].strip())]


class MeasureAddForm(ChangeForm):
    policy = forms.ChoiceField(label="具体的な施策（ア・イ・ウ）", required=False)
    number = forms.IntegerField(label="番号", min_value=1, max_value=15, help_text="① = 1")
    title = forms.CharField(label="施策名", max_length=500)
    description = forms.CharField(
        label="内容", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy"].choices = _choices(
            self.after["policies"],
            lambda p: f"{p['key']}（{p['symbol']}）{p['title'][:30]}",
            blank="（選んでください）",
        )

    def changes(self):
        d = self.cleaned_data
        return [
            _add(
                MEASURE,
                policy=d["policy"] or None,
                number=d["number"],
                title=d["title"].strip(),
                description=d["description"].strip(),
            )
        ]


class IndicatorAddForm(ChangeForm):
    level = forms.ChoiceField(label="区分", choices=Indicator.Level.choices, initial="kpi")
    goal = forms.ChoiceField(label="基本目標")
    measure = forms.ChoiceField(label="施策（①②③）", required=False, help_text="KPIのとき")
    code = forms.CharField(label="コード", max_length=20, help_text="例：1-ア-1-5")
    name = forms.CharField(label="指標名", max_length=200)
    unit = forms.CharField(label="単位", max_length=20, required=False)
    baseline_value = forms.CharField(label="基準値", max_length=40, required=False)
    target_value = forms.CharField(label="目標値", max_length=40)
    target_fiscal_year = forms.TypedChoiceField(label="目標年度", coerce=int)
    direction = forms.ChoiceField(label="改善の方向", choices=Indicator.Direction.choices)
    aggregation = forms.ChoiceField(label="集計方法", choices=Indicator.Aggregation.choices)
    introduced_from_year = forms.TypedChoiceField(label="適用開始年度", coerce=int)
    lineage_key = forms.CharField(
        label="系譜キー",
        max_length=64,
        required=False,
        help_text="前期の指標を引き継ぐときだけ、その系譜キーを入力します（空欄：新しい系譜）",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        s = self.strategy
        years = [
            (y, f"{y}年度") for y in range(s["first_fiscal_year"] - 1, s["last_fiscal_year"] + 6)
        ]
        self.fields["target_fiscal_year"].choices = years
        self.fields["target_fiscal_year"].initial = s["last_fiscal_year"]
        self.fields["introduced_from_year"].choices = self.year_choices()
        self.fields["goal"].choices = _choices(self.after["goals"], _goal_label)
        self.fields["measure"].choices = _choices(
            self.after["measures"], _measure_label, blank="（数値目標：なし）"
        )

    def changes(self):
        d = self.cleaned_data
        unit = d["unit"].strip()
        target = _number(self, "target_value", "目標値", required=True, unit=unit)
        baseline = _number(self, "baseline_value", "基準値", required=False, unit=unit)
        if self.errors:
            return []
        payload = {
            "level": d["level"],
            "goal": d["goal"],
            "measure": d["measure"] or None,
            "code": d["code"].strip(),
            "name": d["name"].strip(),
            "unit": unit,
            "baseline_value": num(baseline),
            "baseline_kind": "stated" if baseline is not None else "none",
            "target_value": num(target),
            "target_fiscal_year": d["target_fiscal_year"],
            "direction": d["direction"],
            "aggregation": d["aggregation"],
            "decimals": decimals_of(str(target)),
            "introduced_from_year": d["introduced_from_year"],
        }
        if d["lineage_key"].strip():
            payload["lineage_key"] = d["lineage_key"].strip()
        return [_add(INDICATOR, **payload)]


class ProjectAddForm(ChangeForm):
    name = forms.CharField(label="事業名", max_length=200)
    measure = forms.ChoiceField(label="掲載する施策（①②③）")
    description = forms.CharField(label="内容", widget=forms.Textarea(attrs={"rows": 2}))
    is_priority = forms.BooleanField(label="重点", required=False)
    partners = forms.CharField(
        label="連携機関（民間等）", max_length=300, required=False, help_text="「、」区切り"
    )
    introduced_from_year = forms.TypedChoiceField(label="適用開始年度", coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"].choices = _choices(self.after["measures"], _measure_label)
        self.fields["introduced_from_year"].choices = self.year_choices()

    def changes(self):
        d = self.cleaned_data
        return [
            _add(
                PROJECT,
                name=d["name"].strip(),
                measure=d["measure"],
                description=d["description"].strip(),
                is_priority=d["is_priority"],
                partners=d["partners"].strip(),
                introduced_from_year=d["introduced_from_year"],
            )
        ]


class ListingAddForm(ChangeForm):
    """【再掲】: an existing project listed again under another measure."""

    project = forms.CharField(
        label="再掲する事業名",
        max_length=200,
        widget=forms.TextInput(attrs={"list": "project-names", "autocomplete": "off"}),
    )
    measure = forms.ChoiceField(label="掲載する施策（①②③）")
    description = forms.CharField(
        label="内容（この掲載）", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"].choices = _choices(self.after["measures"], _measure_label)
        self.project_names = [
            p["name"] for p in self.after["projects"] if not p["retired_from_year"]
        ]

    def changes(self):
        d = self.cleaned_data
        project = find(self.after, PROJECT, d["project"].strip())
        description = d["description"].strip() or (project["description"] if project else "")
        return [
            _add(
                LISTING,
                project=d["project"].strip(),
                measure=d["measure"],
                description=description,
                is_relisted=True,
            )
        ]


class PeriodForm(ChangeForm):
    """計画期間の変更 (revisions/period.py): the new end year, the year from which the moved
    targets apply, and for each indicator whose target year is the current end year whether it
    moves to the new end year (default yes) and its new target value (blank: unchanged)."""

    last_fiscal_year = forms.IntegerField(label="新しい計画期間の最終年度", **YEAR)
    effective_from_year = forms.TypedChoiceField(
        label="適用開始年度",
        coerce=int,
        help_text="この年度から、移した目標年度・目標値で評価します。"
        "それより前の年度は、当時の目標値・目標年度で評価したままです。",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        first, last = period.period_of(self.before)
        value = self.initial.get("value") or {}
        self.fields["last_fiscal_year"].initial = value.get("last_fiscal_year", last + 1)
        if value.get("last_fiscal_year") == last:
            self.fields["last_fiscal_year"].initial = last + 1
        self.fields["last_fiscal_year"].help_text = (
            f"現在の計画期間：{period.range_text(first, last)}。延長も短縮もできます"
            "（短縮は、外れる年度に実績値やロックがない場合のみ）。"
        )
        years = [(y, f"{y}年度") for y in range(first, last + 2)]
        self.fields["effective_from_year"].choices = years
        self.fields["effective_from_year"].initial = self.initial.get(
            "effective_from_year", last + 1
        )
        chosen = value.get("indicators") or {}
        self.moved = []  # (key, move field name, target field name)
        for item in period.candidates(self.before):
            c = chosen.get(item["key"], {})
            unit = item["unit"]
            # named by the indicator's id, not its place: the list may change between GET and POST
            move, target = f"move_{item['id']}", f"target_{item['id']}"
            self.fields[move] = forms.BooleanField(
                label=f"{item['code']} {item['name']}：目標年度（{item['target_fiscal_year']}年度）を"
                "新しい最終年度に移す",
                required=False,
                initial=c.get("move", True),
            )
            self.fields[target] = forms.CharField(
                label=f"{item['code']} の目標値" + (f"（{unit}）" if unit else ""),
                max_length=40,
                required=False,
                initial=c.get("target_value") or "",
                help_text="空欄：現在の目標値（"
                f"{numfmt.with_unit(numfmt.number(item['target_value'], item.get('decimals')), unit)}"
                "）のまま",
            )
            self.moved.append((item, move, target))

    def changes(self):
        indicators = {}
        for item, move, target in self.moved:
            value = _number(
                self, target, f"{item['code']} の目標値", required=False, unit=item["unit"]
            )
            indicators[item["key"]] = {
                "move": bool(self.cleaned_data.get(move)),
                "target_value": num(value) if value is not None else None,
            }
        if self.errors:
            return []
        return [
            {
                "kind": PERIOD,
                "action": CHANGE,
                "object_key": period.KEY,
                "field": period.FIELD,
                "new_value": {
                    "last_fiscal_year": self.cleaned_data["last_fiscal_year"],
                    "indicators": indicators,
                },
                "effective_from_year": self.cleaned_data["effective_from_year"],
            }
        ]


def _default_from_year(before, key):
    """The current fiscal year within the period, not before the latest target row."""
    from datetime import date

    s = before["strategy"]
    today = date.today()
    fiscal = today.year if today.month >= 4 else today.year - 1
    year = min(max(fiscal, s["first_fiscal_year"]), s["last_fiscal_year"])
    item = find(before, INDICATOR, key)
    latest = max((r["from"] for r in item["targets"]), default=year) if item else year
    return max(year, latest)


# Fields that make an added object's code: locked when its add is edited (undo and add again).
KEY_FIELDS = {
    GOAL: ["number"],
    POLICY: ["goal", "symbol"],
    MEASURE: ["policy", "number"],
    INDICATOR: ["code"],
    PROJECT: ["name"],
    LISTING: ["project", "measure"],
}


def _add(kind, **payload):
    return {"kind": kind, "action": ADD, "new_value": payload}


# -- the operations --------------------------------------------------------------------------


@dataclass(frozen=True)
class Op:
    slug: str
    kind: str
    action: str
    title: str
    form: type
    field: str = ""  # a change op with a fixed field ("target")
    key: str = ""  # an op on the one object of its kind (the plan period)

    @property
    def needs_key(self):
        return self.action != ADD

    @property
    def needs_field(self):
        return self.action == CHANGE and not self.field


OPS = {
    op.slug: op
    for op in [
        Op(
            "indicator-target",
            INDICATOR,
            CHANGE,
            "指標の目標値・基準値を変更",
            TargetForm,
            "target",
        ),
        Op("indicator-field", INDICATOR, CHANGE, "指標の名称などを変更", FieldForm),
        Op("indicator-add", INDICATOR, ADD, "指標（数値目標・KPI）を追加", IndicatorAddForm),
        Op("indicator-retire", INDICATOR, RETIRE, "指標を廃止", RetireForm),
        Op("goal-field", GOAL, CHANGE, "基本目標を変更", FieldForm),
        Op("goal-add", GOAL, ADD, "基本目標を追加", GoalAddForm),
        Op("policy-field", POLICY, CHANGE, "具体的な施策（ア・イ・ウ）を変更", FieldForm),
        Op("policy-add", POLICY, ADD, "具体的な施策（ア・イ・ウ）を追加", PolicyAddForm),
        Op("measure-field", MEASURE, CHANGE, "施策（①②③）を変更", FieldForm),
        Op("measure-add", MEASURE, ADD, "施策（①②③）を追加", MeasureAddForm),
        Op("project-field", PROJECT, CHANGE, "事業の内容を変更", FieldForm),
        Op("project-add", PROJECT, ADD, "事業を追加", ProjectAddForm),
        Op("project-retire", PROJECT, RETIRE, "事業を廃止", RetireForm),
        Op("listing-add", LISTING, ADD, "事業を再掲（別の施策に掲載）", ListingAddForm),
        Op("listing-field", LISTING, CHANGE, "掲載の内容を変更", FieldForm),
        Op("listing-retire", LISTING, RETIRE, "掲載を取りやめ", RetireForm),
        Op("period", PERIOD, CHANGE, "計画期間の変更", PeriodForm, period.FIELD, period.KEY),
    ]
}


def op_for_change(change) -> Op:
    """The operation that edits an existing RevisionChange row."""
    if change.kind == INDICATOR and change.field == "target":
        return OPS["indicator-target"]
    if change.kind == PERIOD:
        return OPS["period"]
    verb = {ADD: "add", RETIRE: "retire", CHANGE: "field"}[change.action]
    return OPS[f"{change.kind}-{verb}"]


def key_choices(op, before) -> list[tuple[str, str]]:
    """What a change or retire op can pick: the published objects (not retired ones)."""
    from revisions.state import COLLECTION

    items = [i for i in before[COLLECTION[op.kind]] if not i.get("retired_from_year")]
    if op.kind == INDICATOR:
        return [(i["key"], f"{i['code']} {i['name']}") for i in items]
    if op.kind == GOAL:
        return [(i["key"], _goal_label(i)) for i in items]
    if op.kind == POLICY:
        return [(i["key"], f"{i['key']}（{i['symbol']}）{i['title'][:30]}") for i in items]
    if op.kind == MEASURE:
        return [(i["key"], _measure_label(i)) for i in items]
    if op.kind == PROJECT:
        return [(i["key"], i["name"]) for i in items]
    return [(i["key"], f"{i['project']}（{i['measure']}）") for i in items]


def initial_for(op, before, key, field, change=None) -> dict:
    """The form's first values: the draft's change when there is one, else the published state."""
    initial = {"version": change.version if change else 0}
    if change is not None:
        initial["note"] = change.note
        if change.effective_from_year is not None:
            initial["effective_from_year"] = change.effective_from_year
    if op.action == ADD:
        if change is not None:
            initial.update(change.new_value or {})
            for name in ("target_value", "baseline_value"):
                if initial.get(name) is not None:
                    initial[name] = initial[name]
        return initial
    if op.action == RETIRE:
        if change is not None:
            initial["retired_from_year"] = change.effective_from_year
        return initial
    from revisions.state import current_value

    published = current_value(before, op.kind, key, field or op.field)
    started = change.old_value if change is not None else published
    initial["started_from"] = json.dumps(started, ensure_ascii=False)
    value = change.new_value if change is not None else published
    if op.field == "target":
        value = value or {}
        initial.update(
            {
                "target_value": value.get("target_value") or "",
                "baseline_value": value.get("baseline_value") or "",
                "target_fiscal_year": value.get("target_fiscal_year"),
                "effective_from_year": change.effective_from_year
                if change
                else _default_from_year(before, key),
            }
        )
    else:
        initial["value"] = value or ""
    return initial
