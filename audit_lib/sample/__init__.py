"""The illustrative Phong Thổ sample: units, establishments, inspections, registers.

Usage::

    from audit_lib.sample import generate
    with open_store("sqlite:///data/try.db", upgrade=True) as store:
        generate(store, seed=453, scale=1)
"""

from audit_lib.sample._sample import generate

__all__ = ["generate"]
