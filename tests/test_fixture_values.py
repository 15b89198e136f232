"""Indicators and projects checked value by value against the document's lines."""

import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest

from kpis.models import Indicator
from projects.models import Project, ProjectListing

pytestmark = pytest.mark.django_db

# The project's own copy of the strategy document (provenance: fixtures/nemuro2/README.md).
DOCUMENT = Path(__file__).resolve().parents[1] / "fixtures" / "nemuro2" / "source.txt"
D = Decimal

# code: (name, unit, target, change, change_unit, baseline, baseline_kind, direction, aggregation)
EXPECTED = {
    "1-N1": (
        "２０～３９歳女性の人口",
        "人",
        D("1665"),
        D("43"),
        "人",
        None,
        "none",
        "reach",
        "level",
    ),
    "1-N2": (
        "生産年齢人口割合",
        "%",
        D("54.1"),
        D("0.3"),
        "ポイント",
        D("53.8"),
        "implied",
        "increase",
        "level",
    ),
    "1-ア-1-1": (
        "沿岸漁業における生産量",
        "t",
        D("27700"),
        D("3846"),
        "t",
        D("23854"),
        "implied",
        "increase",
        "level",
    ),
    "1-ア-1-2": (
        "新規農林業就業者数",
        "人",
        D("15"),
        D("15"),
        "人",
        None,
        "none",
        "increase",
        "cumulative",
    ),
    "1-ア-2-2": (
        "季節労働者数",
        "人",
        D("320"),
        D("25"),
        "人",
        D("345"),
        "implied",
        "decrease",
        "level",
    ),
    "1-ア-5-2": (
        "根室税関支署管内の輸出入貿易額",
        "億円",
        D("70"),
        D("6"),
        "億円",
        D("64"),
        "implied",
        "increase",
        "annual",
    ),
    "1-イ-1-1": (
        "冬期間における観光客入込数の割合",
        "%",
        D("25.0"),
        D("9.1"),
        "ポイント",
        D("15.9"),
        "implied",
        "increase",
        "level",
    ),
    "1-イ-1-2": (
        "外国人宿泊客数",
        "人",
        D("2800"),
        D("87"),
        "人",
        D("2713"),
        "implied",
        "increase",
        "annual",
    ),
    "1-イ-2-2": (
        "移住相談ワンストップ窓口への相談件数",
        "件",
        D("80"),
        D("30"),
        "件",
        D("50"),
        "implied",
        "increase",
        "annual",
    ),
    "2-N1": (
        "人口減少率",
        "%",
        D("2.00"),
        D("0.44"),
        "ポイント",
        D("2.44"),
        "implied",
        "decrease",
        "level",
    ),
    "2-N3": ("合計特殊出生率", "", D("1.67"), None, "", D("1.67"), "stated", "maintain", "level"),
    "2-ア-1-1": (
        "全国学力・学習状況調査 平均正答率（小・中学校）",
        "%",
        D("100"),
        None,
        "",
        None,
        "none",
        "reach",
        "level",
    ),
    "2-イ-1-1": (
        "留守家庭児童会・放課後教室等の利用者数",
        "人",
        D("46000"),
        None,
        "",
        None,
        "none",
        "reach",
        "annual",
    ),
    "2-イ-2-1": (
        "保育料が無料になる多子世帯数",
        "世帯",
        D("150"),
        None,
        "",
        None,
        "none",
        "increase",
        "cumulative",
    ),
    "2-イ-2-2": (
        "多子世帯の割合",
        "%",
        D("16.0"),
        D("0.6"),
        "ポイント",
        D("15.4"),
        "implied",
        "increase",
        "level",
    ),
    "3-N2": (
        "まちづくりへ参加したいと思う市民の割合",
        "%",
        D("85.0"),
        D("13.3"),
        "ポイント",
        D("71.7"),
        "implied",
        "increase",
        "level",
    ),
    "3-ア-2-1": (
        "市民意識調査におけるアンケート回収率",
        "%",
        D("35.0"),
        D("3.7"),
        "%",
        D("31.3"),
        "implied",
        "increase",
        "level",
    ),
    "3-ア-3-1": (
        "根室市へふるさと納税をした人数",
        "万人",
        D("300"),
        None,
        "",
        None,
        "none",
        "increase",
        "cumulative",
    ),
    "3-イ-1-1": (
        "ふるさと納税制度を活用した寄附受納額",
        "億円",
        D("500"),
        D("500"),
        "億円",
        None,
        "none",
        "increase",
        "cumulative",
    ),
    "3-ウ-1-1": (
        "連携協定を結んでいる大学・民間企業との連携数",
        "事業",
        D("41"),
        None,
        "",
        None,
        "none",
        "reach",
        "level",
    ),
}


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_it_transcribes_indicator(code):
    ind = Indicator.objects.get(code=code)
    name, unit, target, change, change_unit, baseline, kind, direction, aggregation = EXPECTED[code]
    assert ind.name == name
    assert ind.unit == unit
    assert ind.target_value == target
    assert ind.change_value == change
    assert ind.change_unit == change_unit
    assert ind.baseline_value == baseline
    assert ind.baseline_kind == kind
    assert ind.direction == direction
    assert ind.aggregation == aggregation
    assert ind.target_fiscal_year == 2024


def test_implied_baselines_are_target_minus_the_stated_change():
    for ind in Indicator.objects.filter(baseline_kind="implied"):
        sign = 1 if ind.direction == "decrease" else -1
        assert ind.baseline_value == ind.target_value + sign * ind.change_value, ind.code


def test_every_source_line_is_printed_in_the_document():
    lines = {line.strip() for line in DOCUMENT.read_text(encoding="utf-8").splitlines()}
    for ind in Indicator.objects.all():
        for part in ind.source_line.split("\n"):
            assert part.strip() in lines, (ind.code, part)


def _digits(text):
    return unicodedata.normalize("NFKC", text).replace(",", "")


def test_every_target_appears_in_its_source_line():
    for ind in Indicator.objects.all():
        printed = _digits(ind.source_line)
        target = ind.quantize(ind.target_value)
        assert str(target) in printed, (ind.code, target, printed)


# name: (badges, description of the first listing, partners, measures listing it)
PROJECTS = {
    "水産資源増大創造支援事業": (
        ["重点", "R3 新規"],
        "将来的な水産資源増大に向けた取組みへの助成",
        "",
        ["1-ア-1"],
    ),
    "沿岸漁業振興対策事業": (["重点"], "ホタテ貝種苗放流事業など育てる漁業の推進", "", ["1-ア-1"]),
    "人と草を育む持続可能型ねむろ酪農推進事業": (
        ["民間等"],
        "農業人材の育成、確保対策 等",
        "",
        ["1-ア-1"],
    ),
    "創業支援ネットワーク構築事業": (
        ["民間等"],
        "包括的な創業支援",
        "日本政策金融公庫",
        ["1-ア-3"],
    ),
    "事業承継円滑化事業": (
        ["民間等"],
        "事業承継支援",
        "大地みらい信用金庫、北洋銀行、北海道銀行",
        ["1-ア-3"],
    ),
    "人材確保対策事業": ([], "都市部での合同就職説明会開催等", "", ["1-ア-2", "1-ア-4", "1-イ-2"]),
    "越境ＥＣによる地場産品の消費拡大": (
        ["R3 新規", "民間等"],
        "越境ＥＣを活用した海外への販路拡大、販売促進",
        "",
        ["1-ア-5"],
    ),
    "学校給食運営経費（学校給食費の完全無償化）": (
        ["重点", "R3 拡充"],
        "小中学校における学校給食費の完全無償化の実施及び献立の充実",
        "",
        ["2-イ-2"],
    ),
    "ＩＣＴ教育環境整備事業（小・中学校）": (
        ["重点", "R3 新規"],
        "ＧＩＧＡスクール構想に係る機器整備",
        "",
        ["2-ア-1", "3-ウ-1"],
    ),
    "広域連携加速化事業": (
        ["北海道"],
        "地域課題の相互補完と役割分担による根室管内１市４町による連携",
        "",
        ["3-ウ-1"],
    ),
    "空き家等対策推進事業": (
        ["民間等"],
        "空き家等に係る修繕費用等の低利融資",
        "北洋銀行、北海道銀行",
        ["1-イ-2"],
    ),
    "保健指導及び医師対策経費": (
        [],
        "医師及び医療従事者並びに介護従事者の返済免除型修学資金等",
        "",
        ["1-ア-4", "1-イ-2", "2-ウ-1"],
    ),
}


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_it_transcribes_project(name):
    badges, description, partners, measure_codes = PROJECTS[name]
    project = Project.objects.get(name=name)
    assert project.badges == badges
    assert project.description == description
    assert project.partners == partners
    assert sorted(m.code for m in project.measures.all()) == measure_codes


def test_a_relisting_keeps_its_own_description():
    relisting = ProjectListing.objects.get(
        project__name="人材確保対策事業", measure__policy__symbol="ア", measure__number=4
    )
    assert relisting.is_relisted
    assert relisting.description == "資格取得経費の助成等"
