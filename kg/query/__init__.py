"""Where the graph is asked: the gate every query passes (:mod:`.gate`), the engines that run it
(:mod:`.engine`), the question library with its parameters and evidence (:mod:`.library`), and the
result formats (:mod:`.formats`)."""
