"""diplokg: a knowledge graph of diplomatic relations, with the evidence behind every fact.

For Python, ``kg.open()`` opens a build (:mod:`kg.api`)::

    import kg
    build = kg.open()
    build.ask("closed-missions", as_of="2024-01-01")

The API is loaded on first use (PEP 562), so ``import kg.errors`` and the command line stay light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from kg.api import (
        ALIGNMENT_COLUMNS,
        Answered,
        Build,
        DiplokgError,
        Evidence,
        InputError,
        Parameter,
        QueryError,
        QueryRefused,
        QueryTimeout,
        Question,
        Row,
        Table,
        ValidationFailed,
        open,
        open_endpoint,
    )

#: What ``kg.NAME`` gives from :mod:`kg.api`.
_API = frozenset({
    "ALIGNMENT_COLUMNS", "Answered", "Build", "DiplokgError", "Evidence", "InputError", "Parameter", "QueryError",
    "QueryRefused", "QueryTimeout", "Question", "Row", "Table", "ValidationFailed", "open", "open_endpoint",
})

__all__ = [
    "ALIGNMENT_COLUMNS", "Answered", "Build", "DiplokgError", "Evidence", "InputError", "Parameter", "QueryError",
    "QueryRefused", "QueryTimeout", "Question", "Row", "Table", "ValidationFailed", "__version__", "open",
    "open_endpoint",
]


def __getattr__(name: str) -> Any:
    """``kg.open``, ``kg.Build`` ...: the Python API (:mod:`kg.api`), imported when first asked for."""
    if name in _API:
        from kg import api

        return getattr(api, name)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_API])
