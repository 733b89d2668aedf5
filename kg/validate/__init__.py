"""Where facts are checked: the SHACL shapes compiled to SPARQL (:mod:`.shacl`), the quality checks
``queries/checks/*-violation.rq`` (:mod:`.checks`), and the violations they report with the file
and line of the node at fault (:mod:`.violations`)."""
