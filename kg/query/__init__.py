"""Where the graph is asked: the gate every query passes (:mod:`.gate`, with :mod:`.canonical`), the
contained child process it runs in (:mod:`.sandbox`, :mod:`.nonet`), the engines that run it
(:mod:`.engine`), the question library with its parameters and evidence (:mod:`.library`), and the
result formats (:mod:`.formats`)."""
