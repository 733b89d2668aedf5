"""Where the graph is drawn: the networkx graph derived by the SPARQL rules in ``rules/``
(:mod:`.graph`), its analytics (:mod:`.analytics`), and the offline explorer page (:mod:`.page`,
``templates/``)."""
