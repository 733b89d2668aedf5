"""A seeded synthetic diplomatic world in diplokg's own ontology and source format.

The world is a diplokg project folder (``ontology/`` and ``queries/`` copied from this checkout)
whose ``sources/`` holds generated source folders, each with ``source.ttl``, ``text.txt`` (one
sentence per line, one sentence per fact) and ``facts.ttl`` whose facts cite those sentences, as a
real source does. States come from the gazetteer; the world has missions with lifecycles (opening,
then for some a closure announced by state media and a farewell visit, dated to the day), diplomatic
relations, sanctions (dated to the year), partnerships (dated to the month), summits and strategy
shifts, each with one modality.

Beside the source folders it writes ``world.nq``: the same asserted dataset (ontology, gazetteer and
every source graph, sentences included, exactly as the loader reads them) as N-Quads, so the
million-triple benchmark can load it straight into Oxigraph (our rdflib-based loader is the
bottleneck there: see ``docs/benchmarks.md``).

Usage::

    python bench/world.py --triples 10000 --out /tmp/world-10k
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

from rdflib import RDF, RDFS, Graph, URIRef

from kg.namespaces import DIPLO, GAZETTEER_GRAPH, ONTOLOGY_GRAPH, source_graph
from kg.paths import Project
from kg.reference.load import load_project
from kg.sources.gazetteer import gazetteer_graph
from kg.store.files import quads_of

ROOT = Path(__file__).resolve().parent.parent
D = "https://w3id.org/diplokg/ontology#"
ID = "https://w3id.org/diplokg/id/"
XSD = "http://www.w3.org/2001/XMLSchema#"
TIME = "http://www.w3.org/2006/time#"
FACTS_PER_SOURCE = 60
KINDS = (("Embassy", "embassy", "Embassy"), ("ConsulateGeneral", "consulate-general", "Consulate-General"))
MODALITIES = ("Reported", "Reported", "Reported", "Claimed", "Estimated", "Predicted")


def _lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class World:
    """The generator's state: states, missions made so far, and a seeded random source."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        gaz = gazetteer_graph()
        self.states = sorted((str(s), str(gaz.value(s, RDFS.label))) for s in gaz.subjects(RDF.type, DIPLO.State))
        self.missions: dict[str, tuple[str, str, str, str, str]] = {}
        self.dprk = next(s for s in self.states if s[0].endswith("/PRK"))
        self.count = 0

    def _pick(self) -> str:
        """A mission opened earlier, picked at random without listing them all."""
        for key in self.missions:
            if self.rng.random() < 0.05:
                return key
        return next(iter(self.missions))

    def fact(self, base: str, sid: str, lines: list[str], sentences: list[str]) -> None:
        """Add one fact (several triples) and the sentence stating it."""
        rng = self.rng
        self.count += 1
        n = self.count
        (a, a_label), (b, b_label) = rng.sample(self.states, 2)
        if rng.random() < 0.03 and a != self.dprk[0] and b != self.dprk[0]:
            a, a_label = self.dprk  # a little more about one state, as the library's questions ask about it
        node = f"<{base}fact-{n}>"
        ev = f"<{base}{sid}>"
        mod = f"<{D}{rng.choice(MODALITIES)}>"
        year = rng.randint(1950, 2024)
        day = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        kind = rng.random()
        if kind < 0.45:
            cls, slug, word = rng.choice(KINDS)
            mission = f"{ID}mission/{a.rsplit('/', 1)[1]}-{b.rsplit('/', 1)[1]}-{slug}"
            closing = bool(self.missions) and rng.random() < 0.35
            if closing:  # close a mission opened earlier
                mission = rng.choice(list(self.missions)) if len(self.missions) < 64 else self._pick()
                a, a_label, b, b_label, cls = self.missions.pop(mission)
                word = dict((k[0], k[2]) for k in KINDS)[cls]
            m = f"<{mission}>"
            lines.append(
                f"{m} a <{D}{cls}> ; <{RDFS.label}> {_lit(f'{word} of {a_label} in {b_label}')}@en ; "
                f"<{D}sendingState> <{a}> ; <{D}host> <{b}> ; <{D}evidence> {ev} ."
            )
            lines.append(f"<{a}> <{D}hasDiplomaticRelationsWith> <{b}> .")
            if not closing:
                self.missions[mission] = (a, a_label, b, b_label, cls)
                lines.append(
                    f"{node} a <{D}MissionOpening> ; <{RDFS.label}> {_lit(f'opening of the {word.lower()}')}@en ; "
                    f'<{D}mission> {m} ; <{D}date> "{day}"^^<{XSD}date> ; <{D}datePrecision> <{TIME}unitDay> ; '
                    f"<{D}evidence> {ev} ; <{D}modality> {mod} ."
                )
                sentences.append(f"{a_label} opened its {word.lower()} in {b_label} on {day}.")
            else:
                lines.append(
                    f"{node} a <{D}MissionClosure> ; <{RDFS.label}> {_lit(f'closure of the {word.lower()}')}@en ; "
                    f'<{D}mission> {m} ; <{D}date> "{day}"^^<{XSD}date> ; <{D}datePrecision> <{TIME}unitDay> ; '
                    f"<{D}evidence> {ev} ; <{D}modality> {mod} ."
                )
                lines.append(
                    f"<{base}announce-{n}> a <{D}ClosureAnnouncement> ; <{D}mission> {m} ; "
                    f"<{D}announcedBy> <{ID}agent/state-media> ; <{D}evidence> {ev} ; <{D}modality> {mod} ."
                )
                if rng.random() < 0.5:
                    lines.append(
                        f"<{base}farewell-{n}> a <{D}FarewellVisit> ; <{D}mission> {m} ; <{D}visited> <{b}> ; "
                        f"<{D}evidence> {ev} ; <{D}modality> {mod} ."
                    )
                sentences.append(
                    f"State media announced that {a_label} closed its {word.lower()} in {b_label} on {day}."
                )
        elif kind < 0.65:
            lines.append(
                f"{node} a <{D}SanctionsRegime> ; <{RDFS.label}> {_lit(f'sanctions on {b_label}')}@en ; "
                f'<{D}imposedBy> <{a}> ; <{D}target> <{b}> ; <{D}date> "{year}"^^<{XSD}gYear> ; '
                f"<{D}datePrecision> <{TIME}unitYear> ; <{D}evidence> {ev} ; <{D}modality> {mod} ."
            )
            sentences.append(f"In {year} {a_label} imposed sanctions on {b_label}.")
        elif kind < 0.8:
            month = day[:7]
            lines.append(
                f"{node} a <{D}Partnership> ; <{RDFS.label}> {_lit(f'partnership of {a_label} and {b_label}')}@en ; "
                f'<{D}party> <{a}> , <{b}> ; <{D}date> "{month}"^^<{XSD}gYearMonth> ; '
                f"<{D}datePrecision> <{TIME}unitMonth> ; <{D}evidence> {ev} ; <{D}modality> {mod} ."
            )
            sentences.append(f"{a_label} and {b_label} agreed a partnership in {month}.")
        elif kind < 0.9:
            lines.append(
                f"{node} a <{D}Summit> ; <{RDFS.label}> {_lit(f'summit of {a_label} and {b_label}')}@en ; "
                f'<{D}participant> <{a}> , <{b}> ; <{D}place> <{b}> ; <{D}date> "{day}"^^<{XSD}date> ; '
                f"<{D}datePrecision> <{TIME}unitDay> ; <{D}evidence> {ev} ; <{D}modality> {mod} ."
            )
            sentences.append(f"Leaders of {a_label} and {b_label} met at a summit in {b_label} on {day}.")
        else:
            lines.append(
                f"{node} a <{D}StrategyShift> ; <{RDFS.label}> {_lit(f'{a_label} turns to {b_label}')}@en ; "
                f'<{D}actor> <{a}> ; <{D}shiftTowards> <{b}> ; <{D}date> "{year}"^^<{XSD}gYear> ; '
                f"<{D}datePrecision> <{TIME}unitYear> ; <{D}evidence> {ev} ; <{D}modality> {mod} ."
            )
            sentences.append(f"Analysts said in {year} that {a_label} was turning towards {b_label}.")


def generate(triples: int, out: Path, seed: int = 6) -> Project:
    """Write a world of about ``triples`` asserted triples to ``out`` (replacing it) and return it."""
    if out.exists():
        shutil.rmtree(out)
    for part in ("ontology", "queries"):
        shutil.copytree(ROOT / part, out / part)
    world = World(seed)
    budget = triples - 4500  # the ontology and the gazetteer
    made = 0
    number = 0
    while made < budget:
        number += 1
        sid_prefix = f"world-{number:05d}"
        folder = out / "sources" / sid_prefix
        folder.mkdir(parents=True)
        base = f"{ID}source/{sid_prefix}/"
        lines: list[str] = []
        sentences: list[str] = []
        for i in range(1, FACTS_PER_SOURCE + 1):
            world.fact(base, f"s{i:02d}", lines, sentences)
        (folder / "source.ttl").write_text(
            f"<> a <{D}NewsArticle> ; <http://purl.org/dc/terms/title> {_lit(f'Synthetic digest {number}')} ; "
            f"<{RDFS.label}> {_lit(f'Synthetic digest {number} (generated)')}@en .\n",
            encoding="utf-8",
        )
        (folder / "text.txt").write_text("\n".join(sentences) + "\n", encoding="utf-8")
        (folder / "facts.ttl").write_text(
            f'<{ID}agent/state-media> a <{D}AgentGroup> ; <{RDFS.label}> "state media"@en ; '
            f"<{D}evidence> <{base}s01> .\n" + "\n".join(lines) + "\n",
            encoding="utf-8",
        )
        made += sum(line.count(" ; ") + line.count(" , ") + 1 for line in lines) + 5 + 4 * len(sentences)
    project = Project(out)
    write_nquads(project)
    return project


def write_nquads(project: Project) -> None:
    """Write the project's asserted dataset as ``world.nq`` (what the loader reads, as N-Quads)."""
    asserted = load_project(project)
    named: list[tuple[URIRef, Graph]] = [
        (ONTOLOGY_GRAPH, asserted.ontology),
        (GAZETTEER_GRAPH, asserted.graphs[GAZETTEER_GRAPH]),
    ]
    named += [(source_graph(f.id), asserted.graphs[name]) for name, f in asserted.sources.items()]
    with (project.root / "world.nq").open("w", encoding="utf-8") as handle:
        for quad in quads_of(named):
            handle.write(f"{quad} .\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=10_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()
    project = generate(args.triples, args.out, args.seed)
    print(f"wrote {project.root}")


if __name__ == "__main__":
    main()
