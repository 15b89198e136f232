"""Keep exported text from running as a spreadsheet formula (CSV / formula injection).

A note typed as '=HYPERLINK(...)' or '@SUM(...)' must open in Excel as text, never as a formula.
Numbers are left alone: they are written as numbers, and a negative number is not text."""

from decimal import Decimal

# Characters that make Excel, LibreOffice or Google Sheets read a cell as a formula, plus their
# full-width forms (a Japanese IME types those, and some spreadsheet imports fold them).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def neutralise(value):
    """Text starting with a formula trigger gets a leading single quote; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def template_text(value):
    """A text cell of the entry template, which comes back on upload: like `neutralise`, and also
    text already starting with quotes before a trigger gets one more, so that `unneutralise`
    gives back exactly what was stored (a note "=HYPERLINK(…)" round-trips unchanged)."""
    if isinstance(value, str) and value.lstrip("'").startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def unneutralise(value):
    """The reverse of `template_text` for an uploaded text cell."""
    if (
        isinstance(value, str)
        and value.startswith("'")
        and value.lstrip("'").startswith(FORMULA_TRIGGERS)
    ):
        return value[1:]
    return value


def csv_text(value) -> str:
    """One CSV field: numbers in plain notation (27700, -12, 1.6), text neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, Decimal):
        return "0" if value.is_zero() else format(value.normalize(), "f")
    if isinstance(value, int | float):
        return str(value)
    return neutralise(str(value))
