"""The cached rebuild: reuse the world's part of the previous build, redo only the small sources.

The sources fall in two parts (:mod:`kg.store.cache`): the world W (the ontology, the gazetteer,
every source folder of at least :data:`~kg.store.cache.WORLD_MIN_BYTES` and every folder whose tables
are mapped by a ``mapping.toml``: the vote records, which the derived alignment reads) and the rest D
(every other folder). When W, the shapes, the checks and the code are what the cache was written for, and the
cache belongs to the ``diplokg.nq`` in place, :func:`rebuild`:

1. loads only D's folders (every one of them, changed or not: they are small);
2. extends closure(W), kept in the cache, with D (:func:`kg.reason.split.extend_closure`): the
   inferred graph is closure(W)'s inferred lines, plus what D adds that W does not assert, less what
   D asserts;
3. reuses the derived alignment graph (it reads only the votes, which are W's: a D that holds vote
   triples makes the build a full one);
4. compares D's graphs and the inferred graph with the previous build's (the cache keeps their
   sorted lines): nothing changed, and the built graph, the on-disk store and the cache stay as they
   are; else validates the change in a small store (:mod:`kg.validate.focus`);
5. writes the sorted N-Quads by merging the previous file less the old lines with the new lines
   (:class:`kg.store.cache.MergeJob`: child processes, while the change is validated), updates a
   checkpoint copy of the on-disk store (the changed graphs replaced, the inferred graph's
   difference removed and added) and moves both into place, then the cache.

It answers ``None`` (with the reason said to ``say``) whenever the full build must run instead.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import pyoxigraph as ox

from kg.buildreport import BuildReport, Progress
from kg.namespaces import ALIGNMENT_GRAPH, DIPLO, GAZETTEER_GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH, source_graph
from kg.paths import Project
from kg.sources.folder import SourceFolder, discover
from kg.sources.tables import MAPPING_FILE
from kg.store.cache import Cached, folder_bytes, read_cache, world_key

_VOTE_INPUTS = frozenset(
    f"<{p}>" for p in (DIPLO.votedYes, DIPLO.abstained, DIPLO.votedNo, DIPLO.rollCallId, DIPLO.issue,
                       DIPLO.coverage, "http://www.w3.org/2004/02/skos/core#notation")
)
_DATE = f"<{DIPLO.date}>"
_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_ROLL_CALL = f"<{DIPLO.RollCall}>"
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_ROLL_CALL_NODE = ox.NamedNode(str(DIPLO.RollCall))


def split_sources(folders: list[SourceFolder]) -> tuple[list[SourceFolder], list[SourceFolder]]:
    """The world's source folders (at least :data:`WORLD_MIN_BYTES` of files, or tables mapped by a
    ``mapping.toml``: the key votes and the Security Council's votes are small, but the alignment reads
    them, and a small source that holds votes would make every build a full one) and the others."""
    import kg.store.cache as cache  # read at call time: tests lower the threshold

    world = [f for f in folders
             if folder_bytes(f.path) >= cache.WORLD_MIN_BYTES or (f.path / MAPPING_FILE).is_file()]
    return world, [f for f in folders if f not in world]


def world_graphs(world: list[SourceFolder]) -> frozenset[str]:
    """The graphs of W: the ontology, the gazetteer and the world's sources (asserted)."""
    return frozenset({str(ONTOLOGY_GRAPH), str(GAZETTEER_GRAPH)} | {str(source_graph(f.id)) for f in world})


def key_of(project: Project, world: list[SourceFolder]) -> str:
    """The cache key of a project whose world is ``world``."""
    from kg.validate.checks import check_files

    return world_key(project.ontology, project.shapes, check_files(project.checks), [f.path for f in world])


def reads_votes(rest: list[str], is_roll_call: Callable[[str], bool]) -> bool:
    """Whether D's quads (N-Quads lines) hold anything the alignment measures read: a vote, a roll
    call (typed so), its id or issue, an issue's notation, a vote source's coverage, or the date of a
    roll call of W (``is_roll_call``)."""
    for line in rest:
        subject, predicate, rest_of_line = line.split(" ", 2)
        if predicate in _VOTE_INPUTS or (predicate == _TYPE and rest_of_line.startswith(_ROLL_CALL)):
            return True
        if predicate == _DATE and is_roll_call(subject):
            return True
    return False


def parse_lines(lines: list[bytes]) -> list[ox.Quad]:
    """N-Quads lines (without newline) as quads, blank node labels kept."""
    text = b"".join(line + b"\n" for line in lines)
    return list(ox.parse(text, format=ox.RdfFormat.N_QUADS))  # type: ignore[arg-type]


def _base_store(project: Project) -> ox.Store:
    """The previous build: its on-disk store read-only when fresh, else its file read in memory (with
    the file's blank node labels)."""
    from kg.store.files import fresh_disk_store

    found = fresh_disk_store(project.built_graph)
    if found is not None:
        return ox.Store.read_only(str(found))
    store = ox.Store()
    store.extend(ox.parse(path=str(project.built_graph), format=ox.RdfFormat.N_QUADS))  # type: ignore[arg-type]
    return store


def rebuild(project: Project, say: Progress) -> BuildReport | None:
    """The cached rebuild, or ``None`` when a full build must run (see the module)."""
    folders = discover(project.sources)
    world, rest_folders = split_sources(folders)
    if not world:
        return None
    cached, why = read_cache(project.built_graph, key_of(project, world))
    if cached is not None and cached.manifest.world != [f.id for f in world]:
        cached, why = None, "the world's sources changed"
    if cached is None:
        say(f"full build: {why}")
        return None
    try:
        return _rebuild(project, say, folders, world, rest_folders, cached)
    except _Full as exc:
        say(f"full build: {exc}")
        return None


class _Full(Exception):
    """The cached rebuild cannot go on: the full build runs (the message says why)."""


def _rebuild(
    project: Project,
    say: Progress,
    folders: list[SourceFolder],
    world: list[SourceFolder],
    rest_folders: list[SourceFolder],
    cached: Cached,
) -> BuildReport:
    from kg.reason.split import extend_closure
    from kg.sources.folder import parse_turtle
    from kg.sources.load import load_source_into

    report = BuildReport()
    report.sources = [f.id for f in folders]
    report.reused = [f"the world's part of the previous build ({', '.join(f.id for f in world)}, "
                     "the ontology and the gazetteer: their closure and the derived alignment)"]
    say(f"loading the {len(rest_folders)} small sources (reusing the world's {len(world)} from build/cache)")
    ontology = parse_turtle(project.ontology, "https://w3id.org/diplokg/ontology")
    small = ox.Store()
    for folder in rest_folders:
        load_source_into(small, folder)
    rest_lines = small.dump(format=ox.RdfFormat.N_QUADS).decode("utf-8").split("\n")[:-1]  # type: ignore[union-attr]
    del small
    base = _base_store(project)
    w_graphs = world_graphs(world)
    if reads_votes(rest_lines, partial(_in_graphs, base, graphs=w_graphs)):
        raise _Full("a small source holds votes or roll call data (the alignment would change)")
    report.asserted = cached.manifest.asserted + len(rest_lines)
    report.derived = cached.manifest.derived
    report.lap("load")

    say("reasoning (the cached closure of the world, extended with the small sources)")
    triples = [tuple(line[: line.rindex(" <")].split(" ", 2)) for line in rest_lines]
    more = extend_closure(ontology, cached.world_index(), triples)  # type: ignore[arg-type]
    if more is None:
        raise _Full("owl:sameAs appears")
    # As UTF-8 bytes from here on (closure(W)'s lines are read so; D's few are encoded): bytes sort as
    # the N-Quads file is sorted, and the world's two hundred thousand lines are never decoded.
    asserted_rest = {" ".join(t).encode("utf-8") for t in triples}
    inferred = set(cached.world_inferred())
    candidates = sorted({line.encode("utf-8") for line in more} - inferred - asserted_rest)
    if candidates:
        found = _triples([line.decode("utf-8") for line in candidates])
        for line, triple in zip(candidates, found, strict=True):
            if not _asserted(base, triple, w_graphs):
                inferred.add(line)
    inferred -= asserted_rest
    report.inferred = len(inferred)
    tail = f" <{INFERRED_GRAPH}> .".encode()
    new_rest = sorted([*(line.encode("utf-8") for line in rest_lines), *(i + tail for i in inferred)])
    report.lap("reason")

    old_rest = cached.rest_lines()
    old_set, new_set = set(old_rest), set(new_rest)
    removed, added = sorted(old_set - new_set), sorted(new_set - old_set)
    if not removed and not added:
        say("nothing changed in the graph: diplokg.nq, the on-disk store and the cache are kept")
        report.reused.append("diplokg.nq, the on-disk store and the cache (the graph is the same)")
        report.written = True
        report.lap("validate")
        return report
    say(f"validating what changed ({len(removed):,} quads removed, {len(added):,} added) and merging the sorted lines")
    from kg.build.publish import publish_rebuild
    from kg.store.cache import MergeJob

    merge = MergeJob(project.built_graph, cached.folder / "rest.nq", new_rest)
    try:
        report.violations = _validate(project, ontology, base, w_graphs, new_rest, removed + added, folders)
        report.lap("validate")
        if report.violations:
            merge.cancel()
            return report
        del base
        publish_rebuild(project, say, report, cached, new_rest, removed, added, merge)
    except BaseException:
        merge.cancel()
        raise
    return report


def _triples(lines: list[str]) -> list[ox.Triple]:
    text = "".join(f"{line} .\n" for line in lines).encode("utf-8")
    return list(ox.parse(text, format=ox.RdfFormat.N_TRIPLES))  # type: ignore[arg-type]


def _asserted(base: ox.Store, triple: ox.Triple, graphs: frozenset[str]) -> bool:
    found = base.quads_for_pattern(triple.subject, triple.predicate, triple.object)
    return any(q.graph_name.value in graphs for q in found)  # type: ignore[union-attr]


def _in_graphs(base: ox.Store, subject: str, *, graphs: frozenset[str]) -> bool:
    """Whether W's graphs type ``subject`` (N-Triples text) a roll call."""
    if not subject.startswith("<"):
        return False
    found = base.quads_for_pattern(ox.NamedNode(subject[1:-1]), _RDF_TYPE, _ROLL_CALL_NODE)
    return any(q.graph_name.value in graphs for q in found)  # type: ignore[union-attr]


def _validate(
    project: Project,
    ontology: object,
    base: ox.Store,
    w_graphs: frozenset[str],
    new_rest: list[bytes],
    changed: list[bytes],
    folders: list[SourceFolder],
) -> list:  # type: ignore[type-arg]
    from kg.query.verdicts import verdicts_in
    from kg.sources.load import LoadedStore, _extend_graph
    from kg.validate.checks import start_store_checks
    from kg.validate.focus import NewBuild, NotLocal, focus_store, locality
    from kg.validate.shacl import sparql_violations
    from kg.validate.violations import Locator

    base_graphs = (set(w_graphs) - {str(ONTOLOGY_GRAPH)}) | {str(ALIGNMENT_GRAPH)}
    try:
        new = NewBuild(base, base_graphs, new_rest)
        store, focus = focus_store(new, parse_lines(changed), lambda s: _extend_graph(s, ontology, ONTOLOGY_GRAPH),  # type: ignore[arg-type]
                                   locality(project.shapes))
    except NotLocal as exc:
        raise _Full(str(exc)) from None
    loaded = LoadedStore(store=store, ontology=ontology)  # type: ignore[arg-type]
    loaded.sources = {source_graph(f.id): f for f in folders}
    locator = Locator(loaded, project.ontology)
    # The checks' child is forked before the shapes query the store from another thread (a fork while
    # a thread is inside Oxigraph can inherit a held lock and hang); it runs beside them.
    pending = start_store_checks(store, project.checks, locator, verdicts_in(project.build))
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            shacl = pool.submit(sparql_violations, store, project.shapes, locator)
            checks = pending.violations()
            found = shacl.result() + checks
    except BaseException:
        pending.cancel()
        raise
    return [v for v in found if v.focus in focus]
