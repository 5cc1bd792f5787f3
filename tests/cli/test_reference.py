"""docs/cli.md is generated from the commands' help and cannot drift from it."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from audit_lib.cli import main
from audit_lib.cli.reference import help_pages, reference

REGENERATE = "python -m audit_lib.cli.reference > docs/cli.md"
PAGES = help_pages()


def test_the_committed_cli_reference_is_up_to_date(root):
    committed = (root / "docs" / "cli.md").read_text(encoding="utf-8")
    assert committed == reference(), f"docs/cli.md is out of date; regenerate it: {REGENERATE}"


@pytest.mark.parametrize("path", PAGES, ids=lambda path: path.replace(" ", "-"))
def test_each_reference_page_is_what_help_prints(path):
    result = CliRunner().invoke(main, [*path.split()[1:], "--help"], prog_name="audit")
    assert result.exit_code == 0
    assert result.output == PAGES[path] + "\n"
