"""The atlas's results worked out once and shipped: what the explorer needs of :mod:`kg.network.atlas`
without the 2-5 s it takes to work them out in every process.

The atlas depends only on the vendored ``ne_50m_admin_0_countries.json`` and on the code of
:mod:`kg.network.atlas` and :mod:`kg.network.atlaspage`, never
on a build, so what the explorer page and the world view read of it is written once into
``kg/network/derived/`` (``python -m kg.network.atlaskept`` writes both files again):

* ``page-atlas.json``: the page's SVG paths (:func:`kg.network.atlaspage.page_atlas`) exactly as
  :func:`kg.network.safejson.safe_json` writes it into the page;
* ``atlas-places.json``: every shape's index, ids, name, area, label point, boxes and flags (what
  :func:`kg.network.places.map_places` and the world view read), without the projected outlines
  (only the static map, :mod:`kg.network.mapsvg`, draws them, from :func:`kg.network.atlas.atlas`).

Both are read as data: at most :data:`MAX_BYTES` each, regular files only, ``atlas-places.json`` checked
field by field, and used only when its stamp is the digest of the vendored file and of the atlas's code
now, and when ``page-atlas.json`` has the digest it names and no character :func:`safe_json` escapes.
Anything else (an edited atlas, a file missing or altered) is a miss: the atlas is worked out as before,
so the page is the same either way. ``tests/test_map.py`` works them out again and compares byte for byte.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import pathlib
from typing import Any

from kg.errors import InputError
from kg.network import atlas as _atlas_module
from kg.network import atlaspage as _page_module
from kg.network.atlas import ATLAS_FILE, Atlas, Shape, atlas
from kg.network.atlaspage import page_atlas
from kg.network.safejson import safe_json
from kg.sources.jail import read_path

__all__ = ["DERIVED", "PAGE_FILE", "PLACES_FILE", "derived_texts", "page_atlas_json", "places_atlas"]

DERIVED = pathlib.Path(__file__).resolve().parent / "derived"
PAGE_FILE = DERIVED / "page-atlas.json"
PLACES_FILE = DERIVED / "atlas-places.json"
#: The largest file read (the page's paths are about 0.6 MB; the places 0.05 MB).
MAX_BYTES = 4 * 1024 * 1024
#: What :func:`kg.network.safejson.safe_json` never leaves in its text.
_ESCAPED = ("<", ">", "&", "\u2028", "\u2029")


@functools.lru_cache(maxsize=1)
def stamp() -> str:
    """The digest of what the atlas's results depend on: the vendored atlas and the code of both modules."""
    digest = hashlib.sha256(ATLAS_FILE.read_bytes())
    for module in (_atlas_module, _page_module):
        digest.update(pathlib.Path(str(module.__file__)).read_bytes())
    return digest.hexdigest()


def _shape_record(shape: Shape) -> dict[str, Any]:
    return {"index": shape.index, "numeric": shape.numeric, "name": shape.name, "code": shape.code,
            "area": shape.area, "label": list(shape.label), "bbox": list(shape.bbox), "small": shape.small,
            "main_box": list(shape.main_box), "crosses": shape.crosses}


def derived_texts() -> dict[pathlib.Path, str]:
    """Both files' texts, worked out from the atlas now."""
    page = safe_json(page_atlas())
    found = atlas()
    places = {"stamp": stamp(), "page": hashlib.sha256(page.encode("utf-8")).hexdigest(),
              "bbox": list(found.bbox), "shapes": [_shape_record(s) for s in found.shapes]}
    text = json.dumps(places, ensure_ascii=True, sort_keys=True, separators=(",", ":"))
    return {PAGE_FILE: page, PLACES_FILE: text + "\n"}


def _read(path: pathlib.Path) -> str | None:
    try:
        return read_path(path, MAX_BYTES).decode("utf-8")
    except (InputError, UnicodeDecodeError):
        return None


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError("not a number")
    return float(value)


def _pair(value: Any, size: int) -> tuple[float, ...]:
    if not isinstance(value, list) or len(value) != size:
        raise ValueError("not a list of numbers")
    return tuple(_number(v) for v in value)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("not a string")
    return value


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("not a flag")
    return value


def _shape(record: Any) -> Shape:
    if not isinstance(record, dict):
        raise ValueError("not a shape")
    index = record.get("index")
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise ValueError("not an index")
    return Shape(index, _text(record.get("numeric")), _text(record.get("name")), _text(record.get("code")), (),
                 _number(record.get("area")), _pair(record.get("label"), 2), _pair(record.get("bbox"), 4),  # type: ignore[arg-type]
                 _flag(record.get("small")), _pair(record.get("main_box"), 2), _flag(record.get("crosses")))  # type: ignore[arg-type]


@functools.lru_cache(maxsize=1)
def _kept() -> tuple[Atlas, str] | None:
    """The shipped places and page text, when both are whole and stamped for this atlas; else None."""
    places, page = _read(PLACES_FILE), _read(PAGE_FILE)
    if places is None or page is None or any(char in page for char in _ESCAPED):
        return None
    try:
        found = json.loads(places)
        if (not isinstance(found, dict) or found.get("stamp") != stamp()
                or found.get("page") != hashlib.sha256(page.encode("utf-8")).hexdigest()):
            return None
        shapes = found.get("shapes")
        if not isinstance(shapes, list):
            return None
        return Atlas(tuple(_shape(s) for s in shapes), _pair(found.get("bbox"), 4)), page  # type: ignore[arg-type]
    except ValueError:
        return None


def places_atlas() -> Atlas:
    """The atlas's shapes without their outlines (``polygons`` empty): the shipped file's when it is
    stamped for this atlas, else worked out now."""
    kept = _kept()
    if kept is not None:
        return kept[0]
    found = atlas()
    return Atlas(tuple(Shape(**{**_shape_fields(s), "polygons": ()}) for s in found.shapes), found.bbox)


def _shape_fields(shape: Shape) -> dict[str, Any]:
    return {name: getattr(shape, name) for name in Shape.__dataclass_fields__}


def page_atlas_json() -> str:
    """The page's atlas as :func:`kg.network.safejson.safe_json` writes it: the shipped text when it is
    stamped for this atlas, else worked out now."""
    kept = _kept()
    return kept[1] if kept is not None else safe_json(page_atlas())


def main() -> None:
    """Write both files from the atlas (``python -m kg.network.atlaskept``)."""
    DERIVED.mkdir(exist_ok=True)
    for path, text in derived_texts().items():
        path.write_text(text, encoding="utf-8")
        print(path)


if __name__ == "__main__":
    main()
