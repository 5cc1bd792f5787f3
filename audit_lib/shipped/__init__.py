"""The workbench's shipped resources: default checklists, notebooks, plans, units, examples.

Nothing lives in this folder in the repository. When a wheel is built, setuptools maps
the top-level ``checklists/``, ``notebooks/`` and ``data/`` folders into this package
(``package-dir`` in ``pyproject.toml``), so an installed copy carries them. Read them
through :mod:`audit_lib.core.resources`, never by path arithmetic.
"""
