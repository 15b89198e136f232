"""The one writer of a strategy's live tables from a snapshot-shaped state (revisions.kinds).

- front.loading: the document's YAML read as a state and written (第1版; idempotent: a row is
  saved only when a field differs, so a second load writes nothing);
- revisions.services.publish_revision: the objects the changes touched, from `after`;
- revisions.services.start_next_strategy: the source's snapshot, carried over, into a new strategy.

An item writes only what it holds: a state read from the YAML has no 担当課 or lifecycle years,
so loading leaves those alone. Objects are matched by their stable key; nothing is deleted."""

from collections import Counter
from dataclasses import dataclass, field

from simple_history.exceptions import NotHistoricalModelError
from simple_history.utils import bulk_create_with_history, get_history_manager_for_model

from revisions.kinds import KINDS, LIFECYCLE_FIELDS, from_json, item_key, values_of

BATCH = 500


@dataclass
class WriteCount:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)


class Writer:
    def __init__(self, strategy, *, revision=None, user=None, stamp=True, count=None):
        """`revision` and `user` go into the audit trail (django-simple-history) when `stamp`;
        `count` (created/updated Counters by verbose name) is filled in as rows are written."""
        from revisions.models import Revision

        self.strategy, self.revision, self.user, self.stamp = strategy, revision, user, stamp
        self.count = count if count is not None else WriteCount()
        self.objects, self.lookups = {}, {}
        keys = {}
        for kind in KINDS:  # parents first: a child's key holds its parent's
            self.objects[kind.name] = {}
            keys[kind.name] = {}
            qs = kind.model.objects.filter(**{kind.in_strategy: strategy}).order_by("pk")
            for obj in qs.select_related(*[lookup.field for lookup in kind.lookups]):
                key = kind.key(_key_item(kind, obj, keys))
                keys[kind.name][obj.pk] = key
                self.objects[kind.name][key] = obj
        self.revisions = {r.number: r for r in Revision.objects.filter(strategy=strategy)}

    def write(self, state: dict, only=None):
        """Every item of `state` (or only the (kind, key) pairs in `only`), parents first."""
        for kind in KINDS:
            for item in state.get(kind.collection, []):
                if only is None or (kind.name, item_key(kind, item)) in only:
                    self.put(kind, item)

    def write_new(self, state: dict):
        """Every item of `state` into a strategy that has none yet (the next strategy, a workbook
        imported as a new strategy): the same rows and audit trail as write(), created in bulk,
        parents first: a few INSERTs per kind instead of several per item."""
        if any(self.objects[kind.name] for kind in KINDS):
            raise ValueError("write_new() writes into an empty strategy only; use write().")
        for kind in KINDS:
            items = state.get(kind.collection, [])
            objs = [kind.model(**self._new_values(kind, item)) for item in items]
            objs = self._bulk(kind.model, objs)
            for item, obj in zip(items, objs, strict=True):
                self.objects[kind.name][item_key(kind, item)] = obj
            owned = []
            if kind.texts:
                texts = kind.texts
                for item, obj in zip(items, objs, strict=True):
                    owned += [
                        texts.model(**{texts.parent: obj, "order": n, "text": text})
                        for n, text in enumerate(item.get(texts.item, []), start=1)
                    ]
                self._bulk(kind.texts.model, owned)
            if kind.rows:
                rows = kind.rows
                self._bulk(
                    rows.model,
                    [
                        rows.model(**self._row_values(rows, obj, row))
                        for item, obj in zip(items, objs, strict=True)
                        for row in item.get(rows.item, [])
                    ],
                )
            if kind.lifecycle:
                parent = next(
                    f.name
                    for f in kind.lifecycle._meta.concrete_fields
                    if f.related_model is kind.model
                )
                self._bulk(
                    kind.lifecycle,
                    [
                        kind.lifecycle(
                            **{parent: obj}, **{n: item.get(n) for n in LIFECYCLE_FIELDS}
                        )
                        for item, obj in zip(items, objs, strict=True)
                        if any(item.get(n) for n in LIFECYCLE_FIELDS)
                    ],
                )

    def _new_values(self, kind, item) -> dict:
        values = values_of(kind, item)
        for ref in kind.refs:
            key = item.get(ref.item)
            values[ref.field] = self.objects[ref.kind][key] if key is not None else None
        for lookup in kind.lookups:
            if lookup.field in item:
                values[lookup.field] = self._lookup(lookup, item[lookup.field])
        if not kind.refs:
            values["strategy"] = self.strategy
        return values

    def _row_values(self, rows, owner, row) -> dict:
        values = {
            name: from_json(rows.model._meta.get_field(name), row[name])
            for name in rows.fields
            if name in row
        }
        values["revision"] = self.revisions.get(row.get("revision"))
        return {rows.parent: owner, rows.year: row["from"], **values}

    def _bulk(self, model, objs):
        if not objs:
            return objs
        try:
            get_history_manager_for_model(model)
        except NotHistoricalModelError:
            created = model.objects.bulk_create(objs, batch_size=BATCH)
        else:
            stamped = self.stamp and self.revision is not None
            created = bulk_create_with_history(
                objs,
                model,
                batch_size=BATCH,
                default_user=self.user if stamped else None,
                default_change_reason=self.revision.change_reason if stamped else None,
            )
        self.count.created[model._meta.verbose_name] += len(created)
        return created

    def put(self, kind, item):
        values = values_of(kind, item)
        for ref in kind.refs:
            if ref.item in item:
                key = item[ref.item]
                values[ref.field] = self.objects[ref.kind][key] if key is not None else None
        for lookup in kind.lookups:
            if lookup.field in item:
                values[lookup.field] = self._lookup(lookup, item[lookup.field])
        key = item_key(kind, item)
        obj = self.objects[kind.name].get(key)
        if obj is None:
            parent = {} if kind.refs else {"strategy": self.strategy}
            obj = self._save(kind.model(**parent, **values))
            self.objects[kind.name][key] = obj
        else:
            self._update(obj, values)
        if kind.texts and kind.texts.item in item:
            self._texts(kind.texts, obj, item[kind.texts.item])
        if kind.rows and kind.rows.item in item:
            for row in item[kind.rows.item]:
                self._row(kind.rows, obj, row)
        if kind.lifecycle and any(name in item for name in LIFECYCLE_FIELDS):
            self._lifecycle(kind.lifecycle, obj, {n: item.get(n) for n in LIFECYCLE_FIELDS})
        return obj

    # -- rows ------------------------------------------------------------------------------

    def _save(self, obj, fields=None):
        if self.stamp and self.revision is not None:
            obj._history_user = self.user
            obj._change_reason = self.revision.change_reason
        if fields:
            obj.save(update_fields=fields)
            self.count.updated[obj._meta.verbose_name] += 1
        else:
            obj.save()
            self.count.created[obj._meta.verbose_name] += 1
        return obj

    def _update(self, obj, values):
        changed = [name for name, value in values.items() if not _same(obj, name, value)]
        for name in changed:
            setattr(obj, name, values[name])
        if changed:
            self._save(obj, changed)
        return obj

    def _lookup(self, lookup, name):
        if name in (None, ""):
            return None
        if (lookup.field, name) not in self.lookups:
            found = lookup.model.objects.filter(**{lookup.attr: name}).first()
            self.lookups[(lookup.field, name)] = found
        return self.lookups[(lookup.field, name)]

    def _texts(self, texts, owner, lines):
        existing = {t.order: t for t in texts.model.objects.filter(**{texts.parent: owner})}
        for order, text in enumerate(lines, start=1):
            line = existing.get(order)
            if line is None:
                self._save(texts.model(**{texts.parent: owner, "order": order, "text": text}))
            else:
                self._update(line, {"text": text})

    def _row(self, rows, owner, row):
        values = {
            name: from_json(rows.model._meta.get_field(name), row[name])
            for name in rows.fields
            if name in row
        }
        values["revision"] = self.revisions.get(row.get("revision"))
        lookup = {rows.parent: owner, rows.year: row["from"]}
        existing = rows.model.objects.filter(**lookup).first()
        if existing is None:
            self._save(rows.model(**lookup, **values))
        else:
            self._update(existing, values)

    def _lifecycle(self, model, owner, years):
        parent = next(f.name for f in model._meta.concrete_fields if f.related_model is type(owner))
        life = model.objects.filter(**{parent: owner}).first()
        if life is None:
            if any(years.values()):
                self._save(model(**{parent: owner}, **years))
        else:
            self._update(life, years)


def _same(obj, name, value) -> bool:
    field = obj._meta.get_field(name)
    if field.is_relation:
        return getattr(obj, field.attname) == (value.pk if value is not None else None)
    return getattr(obj, name) == value


def _key_item(kind, obj, keys):
    """Enough of an object's item to know its key (no owned lines or rows)."""
    item = {}
    for ref in kind.refs:
        item[ref.item] = keys[ref.kind].get(getattr(obj, f"{ref.field}_id"))
    for name in kind.fields:
        item[name] = getattr(obj, name)
    return item
