"""The two ways to install (pip with pyproject.toml, conda with environment.yml) agree."""

from __future__ import annotations

import re
import tomllib

import yaml
from packaging.requirements import Requirement

from tests.conftest import ROOT

# Where conda-forge names a package differently from PyPI (conda-forge's dask includes
# distributed).
CONDA_NAMES = {"dask[distributed]": "dask", "psycopg[binary]": "psycopg"}


def _pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _conda_specs() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    specs = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str):
            name, spec = re.match(r"([A-Za-z0-9_.\-]+)(.*)", dep).groups()
            specs[name.lower()] = spec
        else:
            for pip_dep in dep["pip"]:
                req = Requirement(pip_dep)
                specs[req.name.lower()] = str(req.specifier)
    return specs


def _conda_name(req: Requirement) -> str:
    full = f"{req.name}[{','.join(sorted(req.extras))}]" if req.extras else req.name
    return CONDA_NAMES.get(full, req.name).lower()


def test_environment_yml_lists_every_runtime_dependency_with_the_same_minimum():
    conda = _conda_specs()
    for line in _pyproject()["dependencies"]:
        req = Requirement(line)
        name = _conda_name(req)
        assert name in conda, f"{name} is in pyproject.toml but not in environment.yml"
        assert conda[name] == str(req.specifier), f"{name}: {conda[name]} != {req.specifier}"


def test_environment_yml_lists_nothing_that_pyproject_does_not():
    known = {_conda_name(Requirement(d)) for d in _pyproject()["dependencies"]}
    known |= {_conda_name(Requirement(d)) for d in _pyproject()["optional-dependencies"]["test"]}
    extra = set(_conda_specs()) - known - {"python", "pip"}
    assert not extra, f"environment.yml has packages pyproject.toml does not: {sorted(extra)}"


def test_python_versions_agree():
    assert _pyproject()["requires-python"] == ">=3.11"
    assert _conda_specs()["python"] == ">=3.11"
