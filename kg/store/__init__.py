"""Where the built graph is stored: the sorted N-Quads file written atomically, the on-disk Oxigraph
store beside it for large graphs, and opening either for queries (:mod:`.files`)."""
