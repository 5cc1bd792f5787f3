"""Checklists: YAML files validated into fingerprinted ``Checklist`` objects, and conditions.

Usage::

    from audit_lib.checklists import load_checklists, applicable_checklists
    checklists = load_checklists()            # the shipped ones, by id
    for cl in applicable_checklists(checklists, {"sector": "mining"}): ...

``conditions`` is the small expression language of ``applies_if``
(``conditions.evaluate("workforce >= 10", attrs)``).
"""

from audit_lib.checklists import _conditions as conditions
from audit_lib.checklists._model import (
    Checklist,
    Str,
    Text,
    applicable_checklists,
    check_paths,
    checklist_files,
    checklist_from_content,
    default_directory,
    display_path,
    load_checklist,
    load_checklists,
    validate_paths,
)
from audit_lib.checklists._problems import StrictLoader, pydantic_problems, read_yaml

__all__ = [
    "Checklist",
    "StrictLoader",
    "Str",
    "Text",
    "applicable_checklists",
    "check_paths",
    "checklist_files",
    "checklist_from_content",
    "conditions",
    "default_directory",
    "display_path",
    "load_checklist",
    "load_checklists",
    "pydantic_problems",
    "read_yaml",
    "validate_paths",
]
