"""A small hand-made world for the world view's tests (not fixtures: plain data, shared by modules).

Ten entities: the anchors China and Russia, North Korea (the focus), the United States, Sweden,
India, Cuba, Eritrea (no mission, no vote), the European Union (an organisation that sends one
delegation) and a state whose label, city and identifier are hostile HTML. Agreement values sit on
the colour scale's stops (0, 0.25, 0.5, 0.75, 1) so a test can name the colour; 2016 has no vote.
"""

from __future__ import annotations

from kg.network.world import WorldData, WorldMission, WorldState

HOSTILE_LABEL = '<img src=x onerror="window.__xss=1">'
HOSTILE_CITY = "<script>window.__xss=2</script>"
HOSTILE_IDENT = 'Q1"><img src=x onerror=window.__xss=3>'
HOSTILE_NOTE = "Note </style><script>window.__xss=4</script> & more"

AGREEMENT: dict[str, dict[str, dict[int, tuple[float, int]]]] = {
    "PRK": {"CHN": {2015: (0.75, 80), 2017: (1.0, 90), 2018: (0.75, 88), 2019: (1.0, 95)},
            "RUS": {2017: (0.5, 90), 2018: (0.75, 88), 2019: (0.75, 95)}},
    "USA": {"CHN": {2017: (0.25, 90), 2018: (0.0, 88), 2019: (0.25, 95)}, "RUS": {2019: (0.0, 95)}},
    "SWE": {"CHN": {2019: (0.5, 95)}, "RUS": {2019: (0.25, 95)}},
    "IND": {"CHN": {2015: (0.75, 80), 2019: (0.75, 95)}, "RUS": {2019: (1.0, 95)}},
    "CUB": {"CHN": {2019: (1.0, 95)}, "RUS": {2019: (0.75, 95)}},
    "RUS": {"CHN": {2019: (0.75, 95)}},
    "CHN": {"RUS": {2019: (0.75, 95)}},
    "XSS": {"CHN": {2019: (0.5, 3)}},
}

STATES: list[tuple[str, str, str, float | None, float | None]] = [
    ("CHN", "China", "state", None, None),
    ("RUS", "Russia", "state", None, None),
    ("PRK", "North Korea", "state", None, None),
    ("USA", "United States", "state", None, None),
    ("SWE", "Sweden", "state", None, None),
    ("IND", "India", "state", None, None),
    ("CUB", "Cuba", "state", None, None),
    ("ERI", "Eritrea", "state", None, None),
    ("EUU", "European Union", "organisation", None, None),
    ("XSS", HOSTILE_LABEL, "state", -10.0, -30.0),
]

MISSIONS: list[tuple[str, str, str, str, str, float, float]] = [
    # sender, host, kind, identifier, city, latitude, longitude
    ("PRK", "CHN", "embassy", "Q101", "Beijing", 39.90, 116.40),
    ("PRK", "CHN", "consulate general", "Q102", "Shenyang", 41.80, 123.40),
    ("PRK", "RUS", "embassy", "Q103", "Moscow", 55.75, 37.60),
    ("PRK", "RUS", "consulate general", "Q104", "Vladivostok", 43.10, 131.90),
    ("PRK", "IND", "embassy", "Q105", "New Delhi", 28.60, 77.20),
    ("PRK", "CUB", "embassy", "Q106", "Havana", 23.10, -82.40),
    ("CHN", "PRK", "embassy", "Q107", "Pyongyang", 39.00, 125.75),
    ("RUS", "PRK", "embassy", "Q108", "Pyongyang", 39.02, 125.76),
    ("SWE", "PRK", "embassy", "Q109", "Pyongyang", 39.03, 125.74),
    ("IND", "PRK", "embassy", "Q110", "Pyongyang", 39.01, 125.77),
    ("CUB", "PRK", "embassy", "Q111", "Pyongyang", 39.00, 125.80),
    ("CHN", "USA", "embassy", "Q112", "Washington", 38.90, -77.00),
    ("CHN", "USA", "consulate general", "Q113", "New York", 40.70, -74.00),
    ("CHN", "USA", "consulate general", "Q114", "Los Angeles", 34.05, -118.24),
    ("CHN", "USA", "consulate general", "Q115", "San Francisco", 37.77, -122.42),
    ("CHN", "USA", "consulate general", "Q116", "Chicago", 41.88, -87.63),
    ("RUS", "USA", "embassy", "Q117", "Washington", 38.90, -77.04),
    ("SWE", "USA", "embassy", "Q118", "Washington", 38.90, -77.06),
    ("USA", "RUS", "embassy", "Q119", "Moscow", 55.75, 37.62),
    ("USA", "CHN", "embassy", "Q120", "Beijing", 39.95, 116.46),
    ("SWE", "CHN", "embassy", "Q121", "Beijing", 39.94, 116.45),
    ("IND", "CHN", "embassy", "Q122", "Beijing", 39.93, 116.44),
    ("EUU", "USA", "delegation", "Q123", "Washington", 38.90, -77.05),
    ("XSS", "SWE", "embassy", HOSTILE_IDENT, HOSTILE_CITY, 59.33, 18.07),
]


def sample_world(reverse: bool = False) -> WorldData:
    """The sample world (*reverse*: the same data listed in the opposite order)."""
    states = [WorldState(code, label, kind, lat, lon, agreement=AGREEMENT.get(code, {}))
              for code, label, kind, lat, lon in STATES]
    missions = [WorldMission(s, h, kind, ident, city, lat, lon) for s, h, kind, ident, city, lat, lon in MISSIONS]
    if reverse:
        states.reverse()
        missions.reverse()
    return WorldData(states=states, missions=missions, anchors=("CHN", "RUS"), focus="PRK",
                     title="Sample world", caption="Hand-made test data",
                     notes=("Agreement index: 1 same vote, 0.5 one abstains, 0 yes against no.", HOSTILE_NOTE))
