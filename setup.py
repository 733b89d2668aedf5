"""What pyproject.toml cannot say to setuptools (the metadata is all in pyproject.toml).

1. The project's data ships inside the package: the folders ``ontology/``, ``queries/`` and
   ``sources/`` of the checkout become ``kg/project/ontology`` ... in the wheel, so a user who
   ``pip install``s diplokg outside a checkout gets them, and ``diplokg init DIR`` copies them into
   a project folder of their own. (setuptools maps a package to any folder with ``package_dir``; the
   folders stay where the project keeps them, with no second copy in the repository.)
2. setuptools builds in ``.setuptools-build/``, not ``build/``: ``build/`` is diplokg's own output
   folder (the built graph, the explorer page), and ``pip install .`` used to leave ``build/lib``
   and ``build/bdist.*`` in it.
"""

from setuptools import find_packages, setup

#: Project folders shipped as package data: the package they become -> the folder in the checkout.
PROJECT_DATA = {"kg.project.ontology": "ontology", "kg.project.queries": "queries", "kg.project.sources": "sources"}

setup(
    packages=[*find_packages(include=["kg", "kg.*"]), *PROJECT_DATA],
    package_dir=dict(PROJECT_DATA),
    package_data={
        "kg": ["py.typed", "**/*"],
        **{name: ["**/*"] for name in PROJECT_DATA},
    },
    exclude_package_data={name: ["**/__pycache__/*", "**/*.pyc"] for name in ["kg", *PROJECT_DATA]},
    options={"build": {"build_base": ".setuptools-build"}},
)
