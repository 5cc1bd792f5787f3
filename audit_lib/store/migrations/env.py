"""Alembic environment: runs on the connection the store passes in ``config.attributes``.

Used through :func:`audit_lib.store.migrations.upgrade`, never with an ``alembic.ini``.
The live schema is the target of autogenerate and of comparisons only: upgrading
runs the revision scripts, which are frozen and never read it.
"""

from __future__ import annotations

from alembic import context

from audit_lib.store._schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
