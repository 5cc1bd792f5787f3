"""The store: SQLite on a laptop, PostgreSQL in the office; the only layer that speaks SQL.

Usage::

    from audit_lib.store import open_store
    with open_store("sqlite:///data/audit.db", upgrade=True) as store:
        store.establishments()

``schema`` holds the table definitions, ``migrations`` the Alembic scripts,
``answers`` the codec of a final inspection's packed answers and ``limits``
what a value must meet to be stored (largest counts, longest texts, characters),
alike on SQLite and PostgreSQL.
:func:`check_establishments` holds the rules every establishment meets, however
it is entered (the store, the form, a register import); :func:`finalize_visits`
makes records of many draft visits in one transaction (what ``Store.finalize_visit``
does for one, and the sample generator for thousands); :func:`evidence_problems`
and :func:`sniff` decide by content which evidence files are kept.
"""

from audit_lib.store import _answers as answers
from audit_lib.store import _limits as limits
from audit_lib.store import _schema as schema
from audit_lib.store import migrations
from audit_lib.store._bulk import bulk_insert, insert_returning, native_records
from audit_lib.store._establishments import ESTABLISHMENT_FLAGS, check_establishments
from audit_lib.store._evidence import EVIDENCE_TYPES, evidence_problems, sniff
from audit_lib.store._failures import explain as explain_failure
from audit_lib.store._finalizing import finalize as finalize_visits
from audit_lib.store._finalizing import remember_checklist
from audit_lib.store._store import (
    Store,
    create_engine,
    default_db_url,
    missing_sqlite_file,
    open_store,
)

__all__ = [
    "ESTABLISHMENT_FLAGS",
    "EVIDENCE_TYPES",
    "Store",
    "answers",
    "bulk_insert",
    "check_establishments",
    "create_engine",
    "default_db_url",
    "evidence_problems",
    "explain_failure",
    "finalize_visits",
    "insert_returning",
    "limits",
    "migrations",
    "missing_sqlite_file",
    "native_records",
    "open_store",
    "remember_checklist",
    "schema",
    "sniff",
]
