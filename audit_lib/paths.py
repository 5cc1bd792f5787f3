"""Where the project's own files are, wherever a command or a notebook runs from.

Usage::

    from audit_lib.paths import PROJECT_ROOT, project_file
    project_file("data/plans/453-KH-HU.yaml")   # found from notebooks/ too

A notebook opened in JupyterLab runs in ``notebooks/``, a report kernel in the
report's folder: a relative path that does not exist there is looked up in the
project root before giving up.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def project_file(path: str | os.PathLike) -> Path:
    """``path`` as given if it exists or is absolute, else relative to the project root
    when it exists there; otherwise ``path`` unchanged (the caller reports it missing)."""
    path = Path(path)
    if path.is_absolute() or path.exists():
        return path
    rooted = PROJECT_ROOT / path
    return rooted if rooted.exists() else path
