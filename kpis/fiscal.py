"""Fiscal-year labels (年度). A fiscal year runs April–March and is named by the year it starts."""

REIWA_START = 2019  # 令和元年度 = FY2019 (the era changed on 2019-05-01, inside FY2019)
HEISEI_START = 1989


def wareki(year: int) -> str:
    """The Japanese era name of a (fiscal) year: 2021 → 令和3年, 2019 → 令和元年, 2015 → 平成27年."""
    if year >= REIWA_START:
        era, n = "令和", year - REIWA_START + 1
    elif year >= HEISEI_START:
        era, n = "平成", year - HEISEI_START + 1
    else:
        era, n = "昭和", year - 1925
    return f"{era}{'元' if n == 1 else n}年"


def fiscal_year_label(year: int | None) -> str:
    """'令和3年度（2021年度）', or '−' when the year is unknown."""
    if year is None:
        return "−"
    return f"{wareki(year)}度（{year}年度）"


def short_label(year: int | None) -> str:
    """'R3' style label used in the city's tables (R3 新規 = 令和3年度)."""
    if year is None:
        return "−"
    if year >= REIWA_START:
        return f"R{year - REIWA_START + 1}"
    return f"H{year - HEISEI_START + 1}"
