"""Piccolo knows a migration by its ID: two files with one ID and the second never runs, silently."""

from __future__ import annotations

import ast
from collections import Counter

from contacts.db.piccolo_app import MIGRATIONS_FOLDER


def migration_ids() -> dict[str, str]:
    found = {}
    for path in sorted(MIGRATIONS_FOLDER.glob("*.py")):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["ID"]:
                found[path.name] = ast.literal_eval(node.value)
    return found


def test_every_migration_has_an_id_of_its_own_in_the_order_of_its_file_name():
    ids = migration_ids()
    assert len(ids) == len([p for p in MIGRATIONS_FOLDER.glob("*.py") if p.name != "__init__.py"])
    assert [name for name, count in Counter(ids.values()).items() if count > 1] == []
    assert list(ids.values()) == sorted(ids.values())  # file names and IDs tell the same order
