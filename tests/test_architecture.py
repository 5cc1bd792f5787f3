"""The layers of docs/architecture.md hold: imports point down, private modules stay private."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_linter_contracts_are_kept():
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint, "import-linter is a test dependency: pip install -e '.[test]'"
    result = subprocess.run([lint], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_every_layer_is_named_in_the_contract():
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    layers = config["tool"]["importlinter"]["contracts"][0]["layers"]
    named = {name.strip() for layer in layers for name in layer.split("|")}
    packages = {p.name for p in (ROOT / "audit_lib").iterdir() if (p / "__init__.py").is_file()}
    assert packages - {"shipped"} == named


def test_every_private_module_is_guarded_by_its_layers_contract():
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    guarded = {
        c["id"].removeprefix("private-"): set(c["forbidden_modules"])
        for c in config["tool"]["importlinter"]["contracts"]
        if c["id"].startswith("private-")
    }
    for layer, modules in guarded.items():
        private = {
            f"audit_lib.{layer}.{p.stem}"
            for p in (ROOT / "audit_lib" / layer).glob("_*.py")
            if p.stem != "__init__"
        }
        assert modules == private, f"update the private-{layer} contract in pyproject.toml"
