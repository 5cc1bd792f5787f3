"""Registers (establishments, accidents, trainings, …): spreadsheet templates and imports.

Usage::

    from audit_lib.registers import import_register, template
    template("accidents", "tai_nan.xlsx")
    with open_store() as store:
        import_register(store, "accidents", "tai_nan.xlsx")   # all rows or none
"""

from audit_lib.registers._import import (
    KINDS,
    REGISTERS,
    ImportResult,
    import_register,
    read_rows,
    template,
    write_rows,
)

__all__ = [
    "KINDS",
    "REGISTERS",
    "ImportResult",
    "import_register",
    "read_rows",
    "template",
    "write_rows",
]
