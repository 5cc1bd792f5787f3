"""`audit --help` and every `audit COMMAND --help` answer without the heavy libraries."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from audit_lib.cli.reference import help_pages

HEAVY = (
    "alembic",
    "ipywidgets",
    "matplotlib",
    "nbformat",
    "numpy",
    "openpyxl",
    "pandas",
    "papermill",
    "pydantic",
    "scipy",
    "sqlalchemy",
)

# Runs `audit ARGS...` in this interpreter, then prints the top-level modules it imported.
PROBE = """\
import json, sys
from audit_lib.cli import main
main(sys.argv[1:], prog_name="audit", standalone_mode=False)
print(json.dumps(sorted({name.partition(".")[0] for name in sys.modules})))
"""

PAGES = help_pages()


def _id(path: str) -> str:
    return path.replace(" ", "-")


@pytest.mark.parametrize("path", PAGES, ids=_id)
def test_help_imports_none_of_the_heavy_libraries(path):
    args = [*path.split()[1:], "--help"]
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=True
    )
    *shown, imported = done.stdout.splitlines()
    assert shown[0].startswith(f"Usage: {path} ")
    heavy = sorted(set(json.loads(imported)) & set(HEAVY))
    assert not heavy, f"`{path} --help` imported {', '.join(heavy)}"


@pytest.mark.parametrize("path", PAGES, ids=_id)
def test_every_command_help_has_an_example_section(path):
    assert re.search(r"^\s+Examples?:$", PAGES[path], re.MULTILINE), PAGES[path]


def test_the_choices_help_shows_without_the_libraries_are_the_libraries_own():
    from audit_lib.core.vocabulary import REGISTER_KINDS, UNIT_LEVELS
    from audit_lib.registers import KINDS
    from audit_lib.units import LEVELS

    assert (REGISTER_KINDS, UNIT_LEVELS) == (KINDS, LEVELS)
