"""Where a fact enters: reading a source folder (its text, tables and Turtle), the ISO 3166
gazetteer, and loading both into the build's Oxigraph store, one named graph per source."""
