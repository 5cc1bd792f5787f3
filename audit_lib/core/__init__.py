"""The bottom layer: errors, languages, the one vocabulary, text and HTML helpers, resources.

Every other layer imports from here; this package imports no other layer.

Modules (each public, each one concept):

- :mod:`~audit_lib.core.errors`: ``AuditError`` and its family, located ``Problem`` s.
- :mod:`~audit_lib.core.i18n`: Vietnamese and English texts (``tr``, ``label``, ``both``).
- :mod:`~audit_lib.core.vocabulary`: every code list and its bilingual labels.
- :mod:`~audit_lib.core.text`: accent folding, numbers and dates as people write them.
- :mod:`~audit_lib.core.html`: escaped HTML fragments.
- :mod:`~audit_lib.core.export`: csv and xlsx with every cell safe, written whole or not at all.
- :mod:`~audit_lib.core.resources`: shipped resources and the user-data home.
- :mod:`~audit_lib.core.db_urls`: database URLs shown masked, passed to kernels without
  their password.
"""
