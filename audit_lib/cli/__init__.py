"""The `audit` command line: thin wrappers over audit_lib, one module per command group.

Commands load lazily, as click recommends: ``COMMANDS`` names each command's
module and attribute, and a module is imported only when its command runs or
its help is shown. Command modules import click and ``audit_lib.core``'s light
modules at the top, and the heavy libraries (pandas, SQLAlchemy, pydantic, …)
inside the functions that use them, so ``audit --help`` and every
``audit COMMAND --help`` answer at once (tests/cli/test_help_is_light.py).
"""

from __future__ import annotations

import importlib

import click

COMMANDS = {
    "actions": "actions:actions_command",
    "checklists": "checklists:checklists",
    "db": "db:db",
    "demo": "demo:demo",
    "form": "form:form",
    "import": "registers:import_command",
    "indicators": "indicators:indicators_command",
    "plan": "indicators:plan_group",
    "report": "report:report",
    "sample": "sample:sample_command",
    "score": "score:score_command",
    "template": "registers:template_command",
}


class LazyGroup(click.Group):
    """A group whose commands, ``{name: "module:attribute"}`` under this package, are
    imported the first time they are asked for."""

    def __init__(self, *args, lazy_commands: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy_commands = lazy_commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_commands and cmd_name not in self.commands:
            module, attribute = self.lazy_commands[cmd_name].split(":")
            command = getattr(importlib.import_module(f"{__name__}.{module}"), attribute)
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(
    cls=LazyGroup,
    lazy_commands=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(package_name="osh-audit-workbench")
def main():
    """OSH Audit Workbench (Bàn làm việc kiểm tra ATVSLĐ).

    \b
    Examples:
      audit checklists validate
      audit sample --db sqlite:///data/audit.db
      audit indicators --plan data/plans/453-KH-HU.yaml --year 2025
    """
