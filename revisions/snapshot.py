"""The whole strategy as canonical JSON, keyed by stable codes (docs/revisions.md).

take_snapshot() reads the live tables (the published state) into plain dicts and lists:
  strategy, goals, policies, measures, indicators (each with its IndicatorTarget rows),
  projects, listings, key_projects — one list per kind of revisions.kinds.KINDS, each item the
  kind's own fields, its parents' keys and what it owns.
Numbers are strings in plain notation ('27700', '2.00' keeps the printed decimals via
`decimals`), years are ints, so the same strategy always gives the same JSON on SQLite and
PostgreSQL. `id` fields are the database ids at the time (for page anchors only: nothing compares
them)."""

from revisions.kinds import KINDS, dec, item_of, num, queryset  # noqa: F401 (num, dec: re-exported)

FORMAT = 1


def goal_key(number) -> str:
    return str(number)


def policy_key(goal_number, symbol) -> str:
    return f"{goal_number}-{symbol}"


def measure_key(goal_number, symbol, number) -> str:
    return f"{goal_number}-{symbol}-{number}"


def listing_key(project_name, measure_code) -> str:
    return f"{project_name}@{measure_code}"


def split_listing_key(key: str) -> tuple[str, str]:
    project, _, measure = key.rpartition("@")
    return project, measure


def take_snapshot(strategy) -> dict:
    """The strategy as it stands in the live tables (10 queries: one per kind in
    revisions.kinds.KINDS, one more per kind that owns lines or rows)."""
    snapshot = {
        "format": FORMAT,
        "strategy": {
            "code": strategy.code,
            "name": strategy.name,
            "municipality": strategy.municipality,
            "first_fiscal_year": strategy.first_fiscal_year,
            "last_fiscal_year": strategy.last_fiscal_year,
            "adopted_on": strategy.adopted_on.isoformat() if strategy.adopted_on else None,
        },
    }
    keys, items = {}, {}
    for kind in KINDS:  # parents first: a child's item holds its parent's key
        rows = [item_of(kind, obj, keys, items) for obj in queryset(kind, strategy)]
        if kind.keyed:
            keys[kind.name] = {item["id"]: item["key"] for item in rows}
            items[kind.name] = {item["key"]: item for item in rows}
        snapshot[kind.collection] = rows
    return canonical(snapshot)


# -- canonical order (pure) ------------------------------------------------------------------


def _goal_no(key: str) -> int:
    try:
        return int(key)
    except (TypeError, ValueError):
        return 10**6


def canonical(snapshot: dict) -> dict:
    """Sort every list the same way whatever order the rows came in (pure)."""
    policy_order = {p["key"]: (_goal_no(p["goal"]), p["order"]) for p in snapshot["policies"]}
    snapshot["goals"].sort(key=lambda g: g["number"])
    snapshot["policies"].sort(key=lambda p: policy_order[p["key"]])

    def measure_sort(key):
        m = measures.get(key)
        if m is None:
            return (10**6, 0, 0)
        return (*policy_order.get(m["policy"], (10**6, 0)), m["number"])

    measures = {m["key"]: m for m in snapshot["measures"]}
    snapshot["measures"].sort(key=lambda m: measure_sort(m["key"]))
    snapshot["indicators"].sort(
        key=lambda i: (
            _goal_no(i["goal"]),
            0 if i["level"] == "goal" else 1,
            measure_sort(i["measure"]) if i["measure"] else (0, 0, 0),
            i["order"],
            i["key"],
        )
    )
    for i in snapshot["indicators"]:
        i["targets"].sort(key=lambda t: t["from"])
    project_rank = {p["key"]: n for n, p in enumerate(snapshot["projects"])}
    snapshot["projects"].sort(key=lambda p: (p["id"] is None, p["id"] or 0, project_rank[p["key"]]))
    snapshot["listings"].sort(key=lambda x: (measure_sort(x["measure"]), x["order"], x["key"]))
    snapshot["key_projects"].sort(key=lambda k: k["number"])
    return snapshot


def without_ids(value):
    """The snapshot minus database ids (to compare a preview with what publishing stored)."""
    if isinstance(value, dict):
        return {k: without_ids(v) for k, v in value.items() if k != "id"}
    if isinstance(value, list):
        return [without_ids(v) for v in value]
    return value
