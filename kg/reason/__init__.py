"""Where facts are reasoned over: the OWL 2 RL rules compiled from the ontology (:mod:`.rules`) and
the closure of the built store kept apart as the inferred graph (:mod:`.closure`)."""
