"""JSON that is safe inside an HTML ``<script>`` (the explorer page's data blocks and atlas)."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["safe_json"]


def safe_json(value: Any) -> str:
    """Serialise *value* as JSON that is safe to embed inside an HTML ``<script>``.

    Keys are sorted for determinism; ``<``, ``>``, ``&`` and the JS line
    terminators U+2028/U+2029 are replaced by ``\\uXXXX`` escapes, so no data
    string can close the script element or start an HTML comment.
    """
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text
