"""``diplokg serve``: a read-only SPARQL 1.1 Protocol endpoint over the built graph, held in memory.

:mod:`.live` holds the graph and swaps in a new build when one is published, :mod:`.protocol` reads
a protocol request and picks the answer's format, :mod:`.app` is the Starlette application (the
endpoint, the question library as resources, the explorer, the report, a query form, health) and
:mod:`.pages` its two small HTML pages, :mod:`.guard` the checks of a request before the application
reads it (Host, origin, body) and :mod:`.connections` the limits of a connection (head and body in
time and size, how many are kept). Every query passes the gate and runs contained, in a worker
(:mod:`kg.query.gated`: the gate too runs there; :mod:`kg.query.sandbox`: time limit, memory ceiling,
row cap, no network).
"""
