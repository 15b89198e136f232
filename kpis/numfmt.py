"""The one number formatter: how a value, a rate or an Excel number format is written on every
page, print, workbook, CSV and message (▲ for negatives, thousands separators, the indicator's
decimals or more when a value carries them: 42.5 stays 42.5 in a KPI printed as 43)."""

from decimal import ROUND_HALF_UP, Decimal, getcontext, localcontext

DASH = "−"
_MAX_NATURAL = 4  # typed values never carry more; longer ones are computed (1/3)


def natural_decimals(value: Decimal) -> int:
    # a float (a value already in a worksheet cell) counts by its shortest repr: 39.3, not the
    # binary expansion 39.29999…
    exp = Decimal(str(value) if isinstance(value, float) else value).normalize().as_tuple().exponent
    return -exp if isinstance(exp, int) and exp < 0 else 0


def places_for(value, decimals: int = 0) -> int:
    """The decimals a value is shown with: the indicator's, or the value's own when it has more
    (up to 4; a computed value that runs on is shown at the indicator's, or 2 places)."""
    own = natural_decimals(value)
    if own > _MAX_NATURAL:
        return max(decimals, 2)
    return max(decimals, own)


_STEPS = [Decimal(1).scaleb(-p) for p in range(12)]


def quantize(value: Decimal, places: int) -> Decimal:
    value = Decimal(value)
    step = _STEPS[places] if places < len(_STEPS) else Decimal(1).scaleb(-places)
    if value.adjusted() + places + 10 <= getcontext().prec:  # the usual case: no new context
        return value.quantize(step, rounding=ROUND_HALF_UP)
    with localcontext() as ctx:  # a large value: enough precision that quantize() never fails
        ctx.prec = value.adjusted() + places + 10
        return value.quantize(step, rounding=ROUND_HALF_UP)


def signed(value: Decimal, places: int) -> str:
    """'27,700', '▲12.5': exactly `places` decimals, half up."""
    value = Decimal(value)
    if value.as_tuple().exponent != -places:  # most values already have their scale
        value = quantize(value, places)
    text = f"{abs(value):,.{places}f}"
    return f"▲{text}" if value < 0 else text


def number(value, decimals: int | None = None) -> str:
    """A stored value (actual, target, baseline): at least `decimals` places, more when it has
    them. decimals=None: the places the value has."""
    if value is None or value == "":
        return DASH
    value = Decimal(value)
    return signed(value, places_for(value, decimals or 0))


def as_written(value) -> str:
    """A value with the decimals it is written with ('2.00' stays 2.00), for formula text and
    messages; a computed value that runs past 4 places gets 2."""
    if value is None or value == "":
        return DASH
    value = Decimal(value)
    exponent = value.as_tuple().exponent if value.is_finite() else 0
    places = -exponent if exponent < 0 else 0
    return signed(value, 2 if places > _MAX_NATURAL else places)


def exactly(value, decimals: int) -> str:
    """A computed value (an interim target) at the indicator's precision: 24,815.5 t → 24,816."""
    if value is None:
        return DASH
    return signed(Decimal(value), decimals)


def rate(value: Decimal | None) -> str:
    """A fraction as a percentage to one decimal ('32.4%', '▲12.0%'), or '−'."""
    if value is None:
        return DASH
    return f"{signed(Decimal(value) * 100, 1)}%"


def with_unit(text: str, unit: str) -> str:
    return text if text == DASH or not unit else f"{text}{unit}"


def excel_format(places: int) -> str:
    """The Excel number format for a value shown with `places` decimals, ▲ for negatives."""
    body = "#,##0" + ("." + "0" * places if places else "")
    return f'{body};"▲"{body}'


def excel_value_format(value, decimals: int = 0) -> str:
    """The Excel number format of one value: its own decimals (42.5 → #,##0.0), never fewer
    than the indicator's."""
    return excel_format(places_for(value, decimals) if value is not None else decimals)


PERCENT_FORMAT = '0.0%;"▲"0.0%'
