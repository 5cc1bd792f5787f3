"""Schema migrations (Alembic), shipped inside the package so an installed copy can upgrade.

Usage::

    from audit_lib.store.migrations import upgrade, current_revision, head_revision
    with engine.begin() as conn:
        upgrade(conn)                 # create or upgrade to the newest schema
        current_revision(conn)        # '0002' (None for an empty database)
    head_revision()                   # '0002'

Alembic is configured in code (no ``alembic.ini``): the script location is this
folder and ``env.py`` runs on the connection given, inside its transaction, so
an upgrade either completes or leaves the database as it was.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

HERE = Path(__file__).resolve().parent


def config(connection: sa.Connection | None = None) -> Config:
    """An Alembic ``Config`` pointing at this folder, carrying ``connection`` for ``env.py``."""
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    """The newest revision this version of the workbench knows."""
    return ScriptDirectory.from_config(config()).get_current_head()


def current_revision(connection: sa.Connection) -> str | None:
    """The revision the database is at, or None when it has never been upgraded."""
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(connection: sa.Connection, revision: str = "head") -> None:
    """Bring the database on ``connection`` to ``revision`` (all within its transaction)."""
    command.upgrade(config(connection), revision)


def scripts() -> list:
    """Every known revision script, newest first."""
    return list(ScriptDirectory.from_config(config()).walk_revisions())
