"""The shape of a ``mapping.toml`` (see :mod:`kg.sources.tables`), checked before anything is compiled,
so that a malformed mapping is one line naming the file and the key, never a traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kg.errors import InputError


def _strings(value: Any, where: str, path: Path) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise InputError(f"{where} must be a table of strings", path=path)
    return value


def check_mapping(spec: dict[str, Any], path: Path) -> None:
    """Check the shape of a parsed ``mapping.toml``.

    Raises:
        InputError: A key of the wrong kind, naming it.
    """
    _strings(spec.get("prefixes", {}), "[prefixes]", path)
    lookups = spec.get("lookups", {})
    if not isinstance(lookups, dict):
        raise InputError("[lookups] must be a table", path=path)
    for name, lookup in lookups.items():
        where = f"[lookups.{name}]"
        if not isinstance(lookup, dict):
            raise InputError(f"{where} must be a table", path=path)
        if "values" in lookup:
            _strings(lookup["values"], f"{where} values", path)
        elif "key" in lookup:
            _strings(lookup["key"], f"{where} key", path)
    tables = spec.get("tables", [])
    if not isinstance(tables, list):
        raise InputError("[[tables]] must be an array of tables", path=path)
    for number, table in enumerate(tables, 1):
        where = f"[[tables]] entry {number}"
        if not isinstance(table, dict):
            raise InputError(f"{where} must be a table", path=path)
        nodes = table.get("nodes", [])
        if not isinstance(nodes, list):
            raise InputError(f"{where}: nodes must be an array of tables", path=path)
        for node in nodes:
            if not isinstance(node, dict) or not isinstance(node.get("subject"), str):
                raise InputError(f"{where}: each [[tables.nodes]] needs a subject template (a string)", path=path)
            triples = node.get("triples", [])
            if not isinstance(triples, list) or not all(
                isinstance(t, list) and len(t) == 2 and all(isinstance(x, str) for x in t) for t in triples
            ):
                raise InputError(f"{where}: triples must be pairs of templates ([predicate, object])", path=path)
