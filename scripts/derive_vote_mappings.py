"""Derive the mapping tables of the two vote-record sources from their own data (run by hand, output
committed).

    python scripts/derive_vote_mappings.py     # rewrites sources/{unga-key-votes-2020-2024,unsc-dprk-votes}/mapping/

It reads only the copies in ``sources/`` (never the network) and writes:

- ``unga-key-votes-2020-2024/mapping/members.csv`` and ``unsc-dprk-votes/mapping/members.csv``: every
  ``state_iso3`` of the votes and the polity it stands for. The codes are ISO 3166-1 alpha-3; a code
  is matched when pycountry knows it and the gazetteer makes it a ``diplo:State`` (a UN member), the
  same node the Voeten votes name by the alpha-2 code. Any other code stops the script: it would be a
  member the votes name that the gazetteer does not hold.
- ``unga-key-votes-2020-2024/mapping/roll-calls.csv``: every resolution of ``resolutions.csv`` and its
  roll call's node, with the regular session (75, 76, 77) or the emergency special session (ES-10,
  ES-11) its votes give, and why the node is new: no roll call of another source is on the same
  resolution (Voeten's data, ``unga-votes``, ends with a roll call of 2020-01-14; the first key vote
  is of 2020-12-07).
- ``unsc-dprk-votes/mapping/council-votes.csv``: every vote of ``drafts.csv``, the node of the vote
  and the node of the text voted on, with the reason for each: a resolution the resolutions table
  (``unsc-dprk-resolutions``) already describes is that table's node (one node per real resolution);
  the others are nodes of this source (``facts.ttl`` describes them); the vote on S/2024/255 is the
  events table's veto (``dprk-summits-and-events``, "Russia vetoes renewal of the UN panel of
  experts ...", 2024-03-28): the same event.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import sys
from pathlib import Path

import pycountry

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.sources.gazetteer import gazetteer_graph  # noqa: E402

KEY_VOTES = ROOT / "sources" / "unga-key-votes-2020-2024"
COUNCIL = ROOT / "sources" / "unsc-dprk-votes"
RESOLUTIONS_TABLE = ROOT / "sources" / "unsc-dprk-resolutions" / "unsc-dprk-resolutions.csv"
RESOLUTIONS_BASE = "https://w3id.org/diplokg/id/source/unsc-dprk-resolutions/"
EVENTS_BASE = "https://w3id.org/diplokg/id/source/dprk-summits-and-events/"
#: Votes whose event another source already describes: symbol -> (the node, why it is the same event).
SAME_EVENT = {
    "S/2024/255": (
        f"<{EVENTS_BASE}panel-veto>",
        "the events table's veto (row 4: Russia vetoes renewal of the UN panel of experts monitoring DPRK "
        "sanctions, 2024-03-28, China abstained): the same vote, one event",
    ),
}


def _rows(path: Path) -> list[dict[str, str]]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:  # type: ignore[operator]
        return list(csv.DictReader(handle))


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(out.getvalue(), encoding="utf-8")


def _slug(symbol: str) -> str:
    """A document symbol as an IRI segment: ``A/RES/ES-11/1`` -> ``A-RES-ES-11-1``,
    ``S/RES/1718 (2006)`` -> ``S-RES-1718-2006``."""
    return re.sub(r"[^A-Za-z0-9]+", "-", symbol).strip("-")


def _states() -> set[str]:
    """The alpha-3 codes the gazetteer makes a diplo:State."""
    from kg.namespaces import DIPLO

    g = gazetteer_graph()
    return {str(code) for s in g.subjects(predicate=None, object=DIPLO.State)
            for code in g.objects(s, DIPLO.iso3166Alpha3)}


def members(folder: Path, states: set[str]) -> None:
    names: dict[str, set[str]] = {}
    for row in _rows(folder / "votes.csv.gz"):
        names.setdefault(row["state_iso3"], set()).add(row.get("state_name_in_source", row["state_iso3"]))
    rows = []
    for code in sorted(names):
        entry = pycountry.countries.get(alpha_3=code)
        if entry is None or code not in states:
            raise SystemExit(f"{folder.name}: {code} is no UN member state of the gazetteer")
        seen = "; ".join(sorted(names[code] - {code}))
        rows.append([code, f"iso:{code}", f"iso3166-1 alpha-3, a UN member state ({entry.name})", seen])
    _write(folder / "mapping" / "members.csv", ["state_iso3", "polity", "match", "names_in_source"], rows)


def roll_calls() -> None:
    sessions = {r["resolution"]: r["session"] for r in _rows(KEY_VOTES / "votes.csv.gz")}
    rows = []
    for row in _rows(KEY_VOTES / "resolutions.csv"):
        session = sessions[row["resolution"]]
        regular, emergency = (session, "") if session.isdigit() else ("", session.removeprefix("ES-"))
        rows.append([row["resolution"], f"<rc-{_slug(row['resolution'])}>", regular, emergency,
                     "no roll call of another source is on this resolution (Voeten's data ends 2020-01-14)"])
    _write(KEY_VOTES / "mapping" / "roll-calls.csv",
           ["resolution", "roll_call", "session", "emergency_session", "match"], rows)


def council_votes() -> None:
    described = {r["resolution"] for r in _rows(RESOLUTIONS_TABLE)}
    rows = []
    for row in _rows(COUNCIL / "drafts.csv"):
        symbol = row["symbol"]
        vote, vote_label = f"<vote-{_slug(symbol)}>", f"UN Security Council vote on {symbol}"
        why_vote = "a vote no other source describes"
        if symbol in SAME_EVENT:
            vote, why_vote = SAME_EVENT[symbol]
            vote_label = ""  # the event keeps the label its own source gives it
        number = re.match(r"S/RES/(\d+)", symbol)
        if number and number.group(1) in described:
            text = f"<{RESOLUTIONS_BASE}resolution-{number.group(1)}>"
            why_text = "the resolutions table's node for this resolution (same number and year)"
        elif number:
            text = f"<resolution-{number.group(1)}>"
            why_text = "a resolution no other source describes: a node of this source (facts.ttl)"
        else:
            text = f"<draft-{_slug(symbol)}>"
            why_text = "a draft not adopted: a node of this source (facts.ttl)"
        rows.append([symbol, vote, vote_label, text, f"{why_vote}; the text: {why_text}"])
    _write(COUNCIL / "mapping" / "council-votes.csv", ["symbol", "vote", "vote_label", "text", "match"], rows)


if __name__ == "__main__":
    known = _states()
    members(KEY_VOTES, known)
    members(COUNCIL, known)
    roll_calls()
    council_votes()
