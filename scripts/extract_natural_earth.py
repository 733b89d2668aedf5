"""Write the explorer's atlas, ``kg/network/vendor/ne_50m_admin_0_countries.json``, from Debian's
``r-cran-rnaturalearthdata`` package: Natural Earth's 1:50m Admin 0 countries (public domain), as that
package ships them (CC0) in its R data base (``data/Rdata.rdb``, object ``countries50``).

Usage (a tool of the maintainers, not of the package; ``rdata`` reads R's serialisation, MIT)::

    apt-get download r-cran-rnaturalearthdata      # 0.1.0-2, sha256 in kg/network/vendor/README.md
    dpkg-deb -x r-cran-rnaturalearthdata_0.1.0-2_all.deb deb
    pip install rdata==1.1.0
    python scripts/extract_natural_earth.py deb/usr/lib/R/site-library/rnaturalearthdata/data

What it keeps of each of the 241 countries, in the package's order: ``name``, ``iso_a3``, ``iso_n3``,
``adm0_a3`` (the attributes, as they are; R's NA as ``null``) and its polygons, each a list of rings
(the outer ring first), a ring as Natural Earth's own points with only the coordinates' rounding
changed: integers in 1e-5 degrees (about a metre, far finer than the 1:50m data), delta-encoded
(``[x0, y0, dx1, dy1, ...]``, as TopoJSON encodes arcs). The same input writes the same bytes.
"""

from __future__ import annotations

import itertools
import json
import lzma
import pathlib
import struct
import sys
import warnings
from typing import Any

OUT = pathlib.Path(__file__).resolve().parents[1] / "kg" / "network" / "vendor" / "ne_50m_admin_0_countries.json"
FIELDS = ("name", "iso_a3", "iso_n3", "adm0_a3")
#: 1e5 steps per degree.
STEPS = 100_000


def _object(data_dir: pathlib.Path, name: str) -> Any:
    """One object of an R lazy-load data base (``Rdata.rdx`` the index, ``Rdata.rdb`` the values)."""
    import gzip

    import rdata  # the maintainers' tool only

    index = rdata.conversion.convert(rdata.parser.parse_data(gzip.decompress((data_dir / "Rdata.rdx").read_bytes())))
    offset, length = (int(v) for v in index["variables"][name])
    blob = (data_dir / "Rdata.rdb").read_bytes()[offset:offset + length]
    if blob[4:5] != b"Z":   # R's type 'Z': raw LZMA2 (compress = 3, xz)
        raise SystemExit(f"{name}: compression {blob[4:5]!r}, expected b'Z'")
    raw = lzma.decompress(blob[5:], format=lzma.FORMAT_RAW,
                          filters=[{"id": lzma.FILTER_LZMA2, "preset": 9 | lzma.PRESET_EXTREME}])
    if len(raw) != struct.unpack(">I", blob[:4])[0]:
        raise SystemExit(f"{name}: length differs from the data base's")
    return rdata.conversion.convert(rdata.parser.parse_data(raw))


def _value(value: Any) -> str | None:
    text = str(value)
    return None if text in ("<NA>", "nan", "None") else text


def _ring(coords: Any) -> list[int]:
    points = [(round(float(x) * STEPS), round(float(y) * STEPS)) for x, y in coords]
    flat = [*points[0]]
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        flat += [x1 - x0, y1 - y0]
    return flat


def main(data_dir: str) -> None:
    """Read ``countries50`` from *data_dir* and write :data:`OUT`."""
    warnings.simplefilter("ignore")   # rdata: "Unknown file type: assumed RDS" for each object
    countries = _object(pathlib.Path(data_dir), "countries50")
    table = countries.data
    out = []
    for row, polygons in zip(table.itertuples(index=False), countries.polygons, strict=True):
        record: dict[str, Any] = {field: _value(getattr(row, field)) for field in FIELDS}
        # sp's comment names each ring's outer ring: "0 0 2" (the third ring is a hole of the second)
        owners = [int(k) for k in str(polygons.comment[0]).split()]
        rings = polygons.Polygons
        if len(owners) != len(rings) or any(bool(r.hole[0]) != (k > 0) for r, k in zip(rings, owners, strict=True)):
            raise SystemExit(f"{record['name']}: holes and their comment disagree")
        shapes = [[_ring(r.coords)] + [_ring(h.coords) for h, k in zip(rings, owners, strict=True) if k == i + 1]
                  for i, (r, owner) in enumerate(zip(rings, owners, strict=True)) if owner == 0]
        record["polygons"] = shapes
        out.append(record)
    text = json.dumps({"source": "Natural Earth 1:50m Admin 0 Countries, from r-cran-rnaturalearthdata 0.1.0-2",
                       "steps_per_degree": STEPS, "countries": out},
                      ensure_ascii=True, separators=(",", ":"))
    OUT.write_text(text + "\n", encoding="utf-8")
    print(f"{OUT}: {len(out)} countries, {len(text)} bytes")


if __name__ == "__main__":
    main(sys.argv[1])
