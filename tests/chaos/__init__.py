"""The chaos test and its parts: fakes as processes, workers, a supervisor that kills."""

#: the figures tables of the chaos runs in this session, printed in pytest's summary
FIGURES: list[str] = []
