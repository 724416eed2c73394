"""Every row of every table (many-to-many tables included), to prove a request changed nothing.

Used where the proof must not depend on reading SQL: a POST refused for its missing CSRF
token must leave every row as it was. The server-side session table is left out: signing
the test client in writes it before the snapshot, and nothing else of value lives there.
(GETs and refused forms are checked statement by statement instead: tests/security/writes.py.)
"""

from django.apps import apps
from django.db import models

EXEMPT_MODELS = {"sessions.session"}

Snapshot = dict[str, dict[object, tuple]]


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def _models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if not model._meta.proxy and model._meta.managed and _label(model) not in EXEMPT_MODELS
    ]


def take() -> Snapshot:
    """Every row of every table, as tuples of column values, keyed by primary key."""
    snapshot: Snapshot = {}
    for model in _models():
        columns = [field.attname for field in model._meta.concrete_fields]
        snapshot[_label(model)] = {row[0]: row for row in model._default_manager.order_by().values_list("pk", *columns)}
    return snapshot


def changes(before: Snapshot, after: Snapshot) -> list[str]:
    """What differs, in words: rows added, removed or changed, per table."""
    found = []
    for label, rows in after.items():
        old = before.get(label, {})
        if added := rows.keys() - old.keys():
            found.append(f"{label}: {len(added)} row(s) added")
        if removed := old.keys() - rows.keys():
            found.append(f"{label}: row(s) {sorted(removed)} removed")
        for pk in sorted(rows.keys() & old.keys()):
            if rows[pk] != old[pk]:
                found.append(f"{label}: row {pk} changed: {old[pk]} -> {rows[pk]}")
    return found
