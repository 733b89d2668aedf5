"""The reference engines, kept so that tests can compare the user path against them, and run by
``diplokg build --validator pyshacl`` or ``--reasoner owlrl``: rdflib loading (:mod:`.load`), owlrl
and the rules on rdflib graphs (:mod:`.reason`), pySHACL (:mod:`.shacl`) and the rdflib build that
strings them together (:mod:`.build`). Nothing on the user path imports them, but that build switch."""
