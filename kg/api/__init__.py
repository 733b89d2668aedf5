"""diplokg for Python: open a build, ask its questions, run SPARQL, read the alignment and the networks.

>>> import kg
>>> build = kg.open()                                  # the project's build (built first if needed)
>>> rows = build.ask("closed-missions", as_of="2024-01-01")
>>> rows[0]["host"], rows[0].evidence[0].modality       # doctest: +SKIP
('Angola', 'reported')

:func:`open` opens a local build, :func:`open_endpoint` a SPARQL store that holds one; both give a
:class:`Build`. Its rows are a :class:`Table` of :class:`Row` mappings with Python values
(:mod:`kg.api.values`) and, for a question, their :class:`Evidence`. Errors are diplokg's own
(:mod:`kg.errors`: :class:`~kg.errors.QueryError`, :class:`~kg.errors.InputError` ...), never an exit.
The command line (``diplokg ask``, ``query``, ``alignment``, ``explore``, ``export``, ``report``,
``stats``) runs through here.
"""

from __future__ import annotations

from kg.errors import DiplokgError, InputError, QueryError, QueryRefused, QueryTimeout, ValidationFailed
from kg.query.library import Parameter, Question

from .build import ALIGNMENT_COLUMNS, Answered, Build
from .connect import open, open_endpoint
from .table import Evidence, Row, Table
from .values import BindValue, Value

__all__ = [
    "ALIGNMENT_COLUMNS",
    "Answered",
    "BindValue",
    "Build",
    "DiplokgError",
    "Evidence",
    "InputError",
    "Parameter",
    "QueryError",
    "QueryRefused",
    "QueryTimeout",
    "Question",
    "Row",
    "Table",
    "ValidationFailed",
    "Value",
    "open",
    "open_endpoint",
]
