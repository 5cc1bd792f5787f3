"""The `audit` command line: thin wrappers over audit_lib, one module per command group.

Each module lists its click commands in ``COMMANDS``; they are attached here.
"""

from __future__ import annotations

import importlib

import click

_MODULES = [
    "checklists",
    "score",
    "db",
    "registers",
    "sample",
    "indicators",
    "report",
    "form",
    "demo",
]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="osh-audit-workbench")
def main():
    """OSH Audit Workbench (Bàn làm việc kiểm tra ATVSLĐ).

    \b
    Examples:
      audit checklists validate
      audit sample --db sqlite:///data/audit.db
      audit indicators --plan data/plans/453-KH-HU.yaml --year 2025
    """


for _name in _MODULES:
    try:
        _module = importlib.import_module(f"audit_lib.cli.{_name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"audit_lib.cli.{_name}":
            raise
        continue
    for _command in _module.COMMANDS:
        main.add_command(_command)
