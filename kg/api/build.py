"""A build opened for Python (:func:`kg.open`, :func:`kg.open_endpoint`): the questions, any query, the
alignment and the explorer's networks, each the same as the command line gives (which calls this).

Every query passes the gate (:func:`kg.query.gate.vet`) and runs contained (:mod:`kg.query.sandbox`:
time, memory, no network), values bound as data (:func:`kg.query.sparqltext.bind`), as on the command
line; on a store, through the bounded client of :mod:`kg.query.remote`.
"""

from __future__ import annotations

import datetime
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from rdflib import Graph
from rdflib.term import Node

from kg.alignment.coverage import DEFAULT_MIN_ROLL_CALLS
from kg.errors import InputError, UndefinedTermWarning
from kg.http import Endpoint
from kg.paths import Project, find_project, packaged_project
from kg.query.engine import Answer, BuiltGraph, Engine
from kg.query.entities import resolve_bindings
from kg.query.gate import vet
from kg.query.library import Question, check_bindings, find_question, library, parameters_of
from kg.query.sandbox import DEFAULT_MEMORY_MIB, DEFAULT_TIMEOUT, Limits
from kg.query.verdicts import vet_kept
from kg.query.vocabulary import warnings as undefined_terms

from .networks import Networks
from .table import Table, answer_table, question_table
from .values import BindValue, Value, to_term

if TYPE_CHECKING:
    import networkx as nx

    from kg.alignment.api import AgreementRow, Votes, VoteYear
    from kg.alignment.remote import RemoteWorld
    from kg.network.explorer import ExplorerInputs
    from kg.query.remote import RemoteGraph

__all__ = ["ALIGNMENT_COLUMNS", "Answered", "Build"]

#: The alignment's columns (the shared convention), then the row's place in its year's ranking.
ALIGNMENT_COLUMNS = ("state", "label", "anchor", "year", "agreement", "rollCalls", "scottsPi", "coverage", "rank",
                     "flag")


@dataclass(frozen=True)
class Answered:
    """A question answered: the question, the values it was asked with, and the engine's answer.

    Attributes:
        question: The question.
        bindings: The values bound to its parameters, as RDF terms (names resolved to entities).
        answer: The answer in rdflib terms (:class:`kg.query.engine.Answer`).
    """

    question: Question
    bindings: dict[str, Node]
    answer: Answer

    def table(self) -> Table:
        """The answer as rows with their evidence (:func:`kg.api.table.question_table`)."""
        return question_table(self.answer)


def _as_of(value: str | datetime.date | None) -> str | None:
    return value.isoformat() if isinstance(value, datetime.date) else value


def _terms(bind: Mapping[str, BindValue | Node] | None) -> dict[str, Node]:
    return {name.lstrip("?$"): to_term(name, value) for name, value in (bind or {}).items()}


def _codes(value: str | Sequence[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


class Build(Networks):
    """A built knowledge graph and the question library that asks it.

    Open one with :func:`kg.open` (a local build) or :func:`kg.open_endpoint` (a SPARQL store).

    Args:
        graph: The built graph, or a store answering like one (:class:`kg.query.remote.RemoteGraph`).
        project: The project whose questions to ask (None: found when first needed).
        endpoint: The store, when ``graph`` is one.
    """

    def __init__(self, graph: BuiltGraph, project: Project | None = None, endpoint: Endpoint | None = None) -> None:
        self.graph = graph
        self.endpoint = endpoint
        self._project = project
        self._votes: Votes | None = None
        self._remote_world: RemoteWorld | None = None
        self._inputs: dict[bool, ExplorerInputs] = {}
        self._network: nx.MultiDiGraph | None = None
        #: Told one line when something kept beside the build is ignored (the command line prints it).
        self.note: Callable[[str], None] | None = None

    def __repr__(self) -> str:
        where = self.endpoint.url if self.endpoint is not None else str(self.graph.path)
        return f"<kg.Build {where}>"

    @property
    def project(self) -> Project:
        """The project whose questions are asked (found from the working directory, else the package's).

        Raises:
            InputError: No project here and none installed with the package.
        """
        if self._project is None:
            try:
                self._project = find_project()
            except InputError:
                found = packaged_project()
                if found is None:
                    raise
                self._project = found
        return self._project

    @property
    def timeout(self) -> float:
        """The time limit of a query when none is given: 60 seconds (the command line's ``--timeout``), or
        on a store the timeout given to :func:`kg.open_endpoint`."""
        return self.endpoint.timeout if self.endpoint is not None else DEFAULT_TIMEOUT

    def _limits(self, timeout: float | None, max_memory: int | None) -> Limits:
        """Every query is bounded: the limits given, else the defaults."""
        return Limits(timeout=self.timeout if timeout is None else timeout,
                      memory_mib=DEFAULT_MEMORY_MIB if max_memory is None else max_memory)

    # ---------------------------------------------------------------- questions and queries

    def questions(self) -> list[Question]:
        """The question library, sorted by name: each with its ``name``, ``question`` and ``returns`` in
        words, and its ``parameters`` (name, required, description, datatype)."""
        return library(self.project.queries)

    def question(self, name: str) -> Question:
        """The question of that name.

        Raises:
            QueryError: No such question (the message offers the closest names).
        """
        return find_question(self.project.queries, name)

    def answer(
        self,
        question: str | Question,
        bind: Mapping[str, BindValue | Node] | None = None,
        *,
        as_of: str | datetime.date | None = None,
        asserted: bool = False,
        engine: Engine = "oxigraph",
        timeout: float | None = None,
        max_memory: int | None = None,
    ) -> Answered:
        """Answer a question of the library, keeping the answer in rdflib terms (what :meth:`ask` and
        ``diplokg ask`` lay out). The arguments are :meth:`ask`'s."""
        found = question if isinstance(question, Question) else self.question(question)
        bindings = check_bindings(f"question {found.name!r}", found.parameters, _terms(bind), _as_of(as_of))
        bindings = resolve_bindings(self.graph, found.parameters, bindings)
        vetted = vet_kept(self.graph, found.text, str(found.path))  # the gate's verdict, kept beside the build
        answer = self.graph.run(vetted, engine=engine, asserted_only=asserted, bindings=bindings,
                                limits=self._limits(timeout, max_memory))
        return Answered(found, bindings, answer)

    def ask(
        self,
        question: str | Question,
        bind: Mapping[str, BindValue | Node] | None = None,
        *,
        as_of: str | datetime.date | None = None,
        asserted: bool = False,
        engine: Engine = "oxigraph",
        timeout: float | None = None,
        max_memory: int | None = None,
    ) -> Table:
        """Answer a question of the library (``diplokg ask``): one row per distinct answer, each with
        its evidence (:class:`kg.api.table.Evidence`: source, sentence or table row, modality).

        Args:
            question: Its name (:meth:`questions` lists them), or the question.
            bind: Values of its parameters by name (:func:`kg.api.values.to_term`), e.g.
                ``{"entity": "Uganda"}``: a name or ISO code is looked up, as ``--bind`` does.
            as_of: The day to answer as of (``asOf``), for the questions that take one.
            asserted: Answer only from what sources asserted (no inferred triples).
            engine: ``oxigraph`` (the default) or ``rdflib`` (the reference); ignored on a store.
            timeout: Stop the query after this many seconds (default: :attr:`timeout`).
            max_memory: Stop the query when it needs more MiB than this (default: 2048, as the command
                line); on a store, the store's own limits hold.

        Raises:
            QueryError: An unknown question, a missing or malformed value, a name no entity goes by.
            QueryTimeout, QueryMemoryExceeded: A limit stopped the query.
            RemoteError: The store could not be reached.
        """
        return self.answer(question, bind, as_of=as_of, asserted=asserted, engine=engine, timeout=timeout,
                           max_memory=max_memory).table()

    def run(
        self,
        text: str,
        bind: Mapping[str, BindValue | Node] | None = None,
        *,
        as_of: str | datetime.date | None = None,
        asserted: bool = False,
        engine: Engine = "oxigraph",
        timeout: float | None = None,
        max_memory: int | None = None,
        origin: str = "query",
        on_warning: Callable[[str], None] | None = None,
    ) -> Answer:
        """Run SPARQL text, keeping the answer in rdflib terms (what :meth:`query` and ``diplokg query``
        lay out). The arguments are :meth:`query`'s; ``origin`` names the text in messages; each
        ``diplo:`` term the ontology does not define is one line to ``on_warning`` (default: a
        :class:`UndefinedTermWarning` by :func:`warnings.warn`)."""
        parameters = parameters_of(text)
        bindings = check_bindings("this query", parameters, _terms(bind), _as_of(as_of))
        bindings = resolve_bindings(self.graph, parameters, bindings)
        vetted = vet(text, self.graph.graph_names(), origin=origin)
        for line in undefined_terms(vetted):
            if on_warning is None:
                warnings.warn(line, UndefinedTermWarning, stacklevel=2)
            else:
                on_warning(line)
        return self.graph.run(vetted, engine=engine, asserted_only=asserted, bindings=bindings,
                              limits=self._limits(timeout, max_memory))

    def query(
        self,
        text: str,
        bind: Mapping[str, BindValue | Node] | None = None,
        *,
        as_of: str | datetime.date | None = None,
        asserted: bool = False,
        engine: Engine = "oxigraph",
        timeout: float | None = None,
        max_memory: int | None = None,
    ) -> Table | bool | Graph:
        """Run a SPARQL 1.1 query over the build (``diplokg query -e TEXT``): through the gate (no
        SERVICE, no update, no FROM outside our graphs), contained in time and memory.

        The default graph is the union of every graph, asserted and inferred (with ``asserted``: of the
        asserted ones).

        Args:
            text: The query.
            bind: Values for its variables by name, written into the query as data (a ``VALUES`` block
                vetted with the rest), e.g. ``{"entity": URIRef("https://w3id.org/diplokg/id/iso3166/PRK")}``.
            as_of: A day bound to ``?asOf`` (as an ``xsd:date``), for a query whose header declares it.
            asserted, engine, timeout, max_memory: As for :meth:`ask`.

        Returns:
            A SELECT's rows as a :class:`Table` (every column, one row per solution), an ASK's answer as a
            ``bool``, a CONSTRUCT's or DESCRIBE's triples as an :class:`rdflib.Graph`.

        Raises:
            QueryRefused: The gate refused the query.
            QueryError: It does not parse, or the engine failed it.
            QueryTimeout, QueryMemoryExceeded: A limit stopped it.
        """
        answer = self.run(text, bind, as_of=as_of, asserted=asserted, engine=engine, timeout=timeout,
                          max_memory=max_memory)
        if answer.kind == "ASK":
            return bool(answer.boolean)
        if answer.kind == "SELECT":
            return answer_table(answer)
        return answer.graph if answer.graph is not None else Graph()

    # ---------------------------------------------------------------- alignment

    def _world(self) -> RemoteWorld | None:
        if self.endpoint is None:
            return None
        if self._remote_world is None:
            from kg.alignment.remote import RemoteWorld

            self._remote_world = RemoteWorld(cast("RemoteGraph", self.graph), timeout=self.endpoint.timeout)
        return self._remote_world

    def agreement_rows(
        self,
        year: int | Iterable[int] | None = None,
        anchor: str | Sequence[str] = ("CHN", "RUS"),
        state: str | Sequence[str] | None = None,
        issue: str | None = None,
        min_roll_calls: int = DEFAULT_MIN_ROLL_CALLS,
        pool: bool = False,
    ) -> list[AgreementRow]:
        """The alignment as :class:`kg.alignment.rows.AgreementRow` objects (what :meth:`alignment` and
        ``diplokg alignment`` lay out). The arguments are :meth:`alignment`'s."""
        from kg.alignment.api import Votes, agreement_table  # numpy: only where the alignment is read

        years = [year] if isinstance(year, int) else (sorted(set(year)) if year is not None else None)
        anchors = tuple(a.upper() for a in _codes(anchor)) or ("CHN", "RUS")
        states = _codes(state) or None
        world = self._world()
        if world is not None:
            return agreement_table(world, anchors=anchors, years=years, issue=issue, states=states,
                                   min_roll_calls=min_roll_calls, pool=pool)
        if self._votes is None:
            self._votes = Votes(self.graph.store, self.graph.path, note=self.note)
        return agreement_table(self.graph.store, anchors=anchors, years=years, issue=issue, states=states,
                               votes=self._votes, min_roll_calls=min_roll_calls, pool=pool)

    def alignment(
        self,
        year: int | Iterable[int] | None = None,
        anchor: str | Sequence[str] = ("CHN", "RUS"),
        state: str | Sequence[str] | None = None,
        issue: str | None = None,
        min_roll_calls: int = DEFAULT_MIN_ROLL_CALLS,
        pool: bool = False,
    ) -> Table:
        """Each state's agreement with China and Russia (or ``anchor``) in the UN General Assembly, as
        ``diplokg alignment`` gives it: the columns :data:`ALIGNMENT_COLUMNS` (``state``, ``label``,
        ``anchor``, ``year``, ``agreement``, ``rollCalls``, ``scottsPi``, ``coverage``, ``rank``, ``flag``),
        then ``issue`` with an issue, and ``lastYear`` when pooled.

        Args:
            year: A year, or several (default: every year with roll calls).
            anchor: An anchor's ISO alpha-3 code, or several (default CHN and RUS).
            state: Only this state (ISO alpha-3), or these.
            issue: Only roll calls on one issue: ``me``, ``nu``, ``di``, ``hr``, ``co``, ``ec``.
            min_roll_calls: Rank only measures over at least this many roll calls (the others are flagged).
            pool: One row per state and anchor over every year from the first of ``year`` to the last.

        Returns:
            The rows, by year, anchor, then rank (an empty table when the graph has no such votes).

        Raises:
            InputError: An anchor or state code the graph does not know; pooled years that mix every
                recorded vote with a selection.
        """
        rows = self.agreement_rows(year, anchor, state, issue, min_roll_calls, pool)
        columns = [*ALIGNMENT_COLUMNS, *(("issue",) if issue is not None else ()), *(("lastYear",) if pool else ())]

        def values(r: AgreementRow) -> list[Value]:
            found: list[Value] = [r.state, r.label, r.anchor, r.year, r.agreement, r.roll_calls, r.scotts_pi,
                                  r.coverage, r.rank, r.flag]
            return found + ([r.issue] if issue is not None else []) + ([r.last_year] if pool else [])

        return Table(columns, ((values(r), ()) for r in rows))

    def vote_years(self) -> list[VoteYear]:
        """Every year with General Assembly roll calls in the graph: how many, and their coverage."""
        from kg.alignment.api import vote_years

        world = self._world()
        return vote_years(world if world is not None else self.graph.store)
