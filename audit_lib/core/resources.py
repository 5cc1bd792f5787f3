"""Where the workbench's own files and the user's data are, wherever it runs from.

Usage::

    from audit_lib.core.resources import shipped, locate, home
    shipped("checklists")                    # the default checklists (a folder)
    locate("data/plans/453-KH-HU.yaml")      # as given if it exists, else the shipped copy
    home() / "data" / "audit.db"             # the working database's default place

Two kinds of files:

- **Shipped resources** (default checklists, notebooks, plans, units, the
  high-risk sector groups ``data/high_risk.yaml``, examples)
  are read with :mod:`importlib.resources` from ``audit_lib.shipped``. In a
  wheel, setuptools maps the repository's top-level ``checklists/``,
  ``notebooks/`` and ``data/`` into that package at build time (``package-dir``
  in ``pyproject.toml``), so an installed copy works from any folder. In a
  source checkout the same folders are read where they are.
- **User data** (the working database, evidence, reports) lives under one
  home: ``$AUDIT_HOME`` when set; else the checkout's root when running from a
  source checkout (so ``data/audit.db`` is where it always was); else a
  per-user data folder (``$XDG_DATA_HOME/osh-audit``, by default
  ``~/.local/share/osh-audit``).
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

_PACKAGE = "audit_lib.shipped"


def _shipped_root() -> Path:
    """The folder that holds ``checklists/``, ``notebooks/`` and ``data/``."""
    package = Path(str(files(_PACKAGE)))
    if (package / "checklists").is_dir():
        return package  # an installed wheel: the folders were mapped into the package
    return package.parents[1]  # a source checkout: audit_lib/shipped → the repository root


def checkout_root() -> Path | None:
    """The repository root when running from a source checkout, else None."""
    root = Path(str(files(_PACKAGE))).parents[1]
    return root if (root / "pyproject.toml").is_file() and (root / "checklists").is_dir() else None


def shipped(*parts: str) -> Path:
    """A shipped resource: ``shipped("data", "plans", "453-KH-HU.yaml")``."""
    return _shipped_root().joinpath(*parts)


def locate(path: str | os.PathLike) -> Path:
    """``path`` as given when it exists or is absolute; else the shipped file of that
    relative name when there is one (``data/plans/…`` is found from ``notebooks/``, a
    report's folder or an unrelated folder alike); otherwise ``path`` unchanged, for
    the caller to report as missing."""
    path = Path(path)
    if path.is_absolute() or path.exists():
        return path
    candidate = shipped(*path.parts)
    return candidate if candidate.exists() else path


def home() -> Path:
    """Where user data lives (see the module docstring)."""
    if os.environ.get("AUDIT_HOME"):
        return Path(os.environ["AUDIT_HOME"]).expanduser()
    checkout = checkout_root()
    if checkout is not None:
        return checkout
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "osh-audit"
