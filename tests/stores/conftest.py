"""Fixtures for the tests against real SPARQL stores, which ``.ci/start-stores`` starts on 127.0.0.1.

Each store is named by environment variables (see ``.ci/start-stores``). A test that needs a store
skips when its variable is missing, with the reason, unless ``DIPLOKG_REQUIRE_STORES`` is set (as
in CI): then a missing store fails the test.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from kg.http import Endpoint

ROOT = Path(__file__).resolve().parent.parent.parent


@dataclass(frozen=True)
class Store:
    """One running store: its SPARQL query address, its Graph Store Protocol address, its credentials.

    Attributes:
        name: oxigraph, oxigraph-union or virtuoso.
        union_default: Whether a query without a dataset reads the union of the named graphs.
    """

    name: str
    query_url: str
    gsp_url: str
    user: str | None = None
    password: str | None = None
    union_default: bool = False
    dataset: str = "ours"

    def query(self) -> Endpoint:
        """The query endpoint."""
        return Endpoint(self.query_url, self.user, self.password, dataset=self.dataset)  # type: ignore[arg-type]

    def gsp(self) -> Endpoint:
        """The Graph Store Protocol endpoint."""
        return Endpoint(self.gsp_url, self.user, self.password)

    def auth_args(self) -> list[str]:
        """The command-line options that sign in to it (and choose how queries name the dataset)."""
        sign_in = ["--user", self.user, "--password", self.password or ""] if self.user else []
        return [*sign_in, "--dataset", self.dataset]


#: The stores, and ``oxigraph-union-store``: the union store asked with ``--dataset store``.
STORE_NAMES = ("oxigraph", "oxigraph-union", "oxigraph-union-store", "virtuoso")


def find_store(name: str) -> Store:
    """The store of that name from the environment; skips (or fails, when stores are required) if absent."""
    env = os.environ
    base = {
        "oxigraph": env.get("DIPLOKG_TEST_OXIGRAPH"),
        "oxigraph-union": env.get("DIPLOKG_TEST_OXIGRAPH_UNION"),
        "oxigraph-union-store": env.get("DIPLOKG_TEST_OXIGRAPH_UNION"),
        "virtuoso": env.get("DIPLOKG_TEST_VIRTUOSO"),
    }[name]
    if not base:
        variable = {"oxigraph": "DIPLOKG_TEST_OXIGRAPH", "oxigraph-union": "DIPLOKG_TEST_OXIGRAPH_UNION",
                    "oxigraph-union-store": "DIPLOKG_TEST_OXIGRAPH_UNION", "virtuoso": "DIPLOKG_TEST_VIRTUOSO"}[name]
        message = f"the {name} store is not running ({variable} is unset; start it with `.ci/start-stores DIR`)"
        if env.get("DIPLOKG_REQUIRE_STORES"):
            pytest.fail(f"DIPLOKG_REQUIRE_STORES is set but {message}")
        pytest.skip(message)
    if name == "virtuoso":
        return Store(name, f"{base}/sparql", f"{base}/sparql-graph-crud-auth",
                     env.get("DIPLOKG_TEST_VIRTUOSO_USER", "dba"), env.get("DIPLOKG_TEST_VIRTUOSO_PASSWORD"),
                     union_default=True)
    union = name.startswith("oxigraph-union")
    return Store(name, f"{base}/query", f"{base}/store", union_default=union,
                 dataset="store" if name.endswith("-store") else "ours")


@pytest.fixture(scope="session", params=STORE_NAMES)
def store(request: pytest.FixtureRequest) -> Store:
    """Each running store in turn."""
    return find_store(request.param)
