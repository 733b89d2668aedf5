"""diplokg: a knowledge graph of diplomatic relations, with the evidence behind every fact."""

from __future__ import annotations

__version__ = "0.1.0"
