"""Synthetic checklists for tests: the one way a test makes a checklist of its own.

Usage::

    from tests.factories import advice, checklist, checklist_data, grades, item, write_yaml

    # three sections of four major items each, ids S.A.01 … S.C.04
    plain = checklist(n_sections=3, items_per_section=4)
    # items chosen one by one, in sections named by their keys
    mine = checklist(
        "mine",
        sections={
            "A": [item("M.A.1", severity="critical", weight=3),
                  item("M.A.2", applies_if="workforce >= 50")],
            "B": [item("M.B.1", answer="count", threshold={"op": ">=", "value": 2}),
                  advice("M.B.2", action={"vi": "Kê giá để dụng cụ", "en": "Add a tool rack"})],
        },
        grades=grades(("A", 80, True), ("B", 0, False)),
    )
    path = write_yaml(tmp_path / "mine.yaml", checklist_data("mine"))

``checklist_data`` gives the plain mapping (what a YAML file holds), ``checklist``
validates it into a :class:`~audit_lib.checklists.Checklist`, and ``write_yaml``
writes a mapping, or text taken as it is, to a file. ``tiny`` is the small
checklist of ``tests/data/checklists/tiny.yaml`` as a fresh mapping, for tests
that break one field of a valid file; ``find_item`` reaches into such a mapping.

Store tests make their visits here too, through the store's public API::

    eid = establishment(store, workforce=30)         # a new one, its commune added if missing
    vid = visit(store, [SHEET, other], establishment_id=eid, visited_on="2025-05-12")
    iid = sheet(store)            # the one sheet of a new visit of SHEET (A.1, A.2, A.3)
    ids = sheets(store, vid)      # a visit's sheets, in the order of its checklists
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import yaml

from audit_lib.checklists import Checklist

TINY = Path(__file__).resolve().parent / "data" / "checklists" / "tiny.yaml"
LEGAL_BASIS = ["Luật ATVSLĐ 84/2015/QH13"]


def grades(*bands: tuple[str, float, bool]) -> list[dict]:
    """Grade bands from ``(code, min, passes)`` triples, highest first."""
    return [
        {"code": code, "min": low, "pass": passes, "label": {"vi": code, "en": code}}
        for code, low, passes in bands
    ]


PASS_ALL = grades(("A", 0, True))


def item(
    item_id: str,
    *,
    severity: str = "major",
    weight: float | None = None,
    applies_if: str | None = None,
    answer: str | None = None,
    threshold: Mapping | None = None,
    text: Mapping | None = None,
    **fields,
) -> dict:
    """One item's mapping: ``item_id`` with every required field; optional ones when given."""
    spec = {
        "id": item_id,
        "text": dict(text) if text else {"vi": f"Mục {item_id}", "en": f"Item {item_id}"},
        "legal_basis": list(LEGAL_BASIS),
        "severity": severity,
        "guidance": {"vi": "Xem hồ sơ", "en": "Look at the records"},
        "evidence": {"vi": "Hồ sơ", "en": "Records"},
    }
    optional = {"weight": weight, "applies_if": applies_if, "answer": answer}
    spec.update({key: value for key, value in optional.items() if value is not None})
    if threshold is not None:
        spec["threshold"] = dict(threshold)
    return spec | fields


def advice(
    item_id: str,
    *,
    weight: float | None = None,
    applies_if: str | None = None,
    reference: Sequence[str] = ("ILO WIND, checkpoint 12",),
    **fields,
) -> dict:
    """One advice item's mapping (``kind: advice``): a reference instead of a legal basis,
    no severity; ``fields`` are added as given (``action``, or a field advice refuses)."""
    spec = {
        "id": item_id,
        "kind": "advice",
        "text": {"vi": f"Khuyến nghị {item_id}", "en": f"Advice {item_id}"},
        "reference": list(reference),
        "guidance": {"vi": "Quan sát nơi làm việc", "en": "Look at the workplace"},
        "evidence": {"vi": "Quan sát", "en": "Observation"},
    }
    optional = {"weight": weight, "applies_if": applies_if}
    spec.update({key: value for key, value in optional.items() if value is not None})
    return spec | fields


def _cycle(values: object) -> Iterable:
    """Endless repetition of ``values`` (one value, or a sequence of them)."""
    if isinstance(values, str) or not isinstance(values, Sequence):
        values = [values]
    return itertools.cycle(values)


def checklist_data(
    checklist_id: str = "synthetic",
    *,
    sections: Mapping[str, Sequence[Mapping]] | None = None,
    n_sections: int = 1,
    items_per_section: int = 3,
    severities: str | Sequence[str] = "major",
    weights: float | Sequence[float | None] | None = None,
    conditions: str | Sequence[str | None] | None = None,
    prefix: str = "S",
    grades: Sequence[Mapping] = PASS_ALL,
    **fields,
) -> dict:
    """A valid checklist mapping.

    Either ``sections`` (section id → item mappings, see :func:`item`), or
    ``n_sections`` sections A, B, … of ``items_per_section`` items each, ids
    ``{prefix}.{section}.{k:02d}`` from 01, whose severities, weights and
    conditions are taken in turn from ``severities``, ``weights`` and
    ``conditions`` (a single value applies to every item). ``fields`` are
    added at the top level (``sectors``, ``kinds``, ``correction_days``, …).
    """
    if sections is None:
        severity, weight, condition = _cycle(severities), _cycle(weights), _cycle(conditions)
        sections = {
            s: [
                item(
                    f"{prefix}.{s}.{k:02d}",
                    severity=next(severity),
                    weight=next(weight),
                    applies_if=next(condition),
                )
                for k in range(1, items_per_section + 1)
            ]
            for s in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[:n_sections]
        }
    return {
        "id": checklist_id,
        "version": "1",
        "title": {"vi": f"Bảng kiểm {checklist_id}", "en": f"Checklist {checklist_id}"},
        "sectors": ["all"],
        "grades": [dict(band) for band in grades],
        "sections": [
            {"id": sid, "title": {"vi": f"Phần {sid}", "en": f"Part {sid}"}, "items": list(items)}
            for sid, items in sections.items()
        ],
    } | fields


def checklist(checklist_id: str = "synthetic", **kwargs) -> Checklist:
    """The validated :class:`Checklist` of :func:`checklist_data` with the same arguments."""
    return Checklist.model_validate(checklist_data(checklist_id, **kwargs))


def to_yaml(data: Mapping) -> str:
    """``data`` as checklist YAML, Vietnamese left readable."""
    return yaml.safe_dump(dict(data), allow_unicode=True, sort_keys=False)


def write_yaml(path: Path, data: Mapping | str) -> Path:
    """Write ``data`` (a mapping, or YAML text taken as it is) to ``path``; returns ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else to_yaml(data), encoding="utf-8")
    return path


def tiny() -> dict:
    """``tests/data/checklists/tiny.yaml`` as a new mapping, safe to change."""
    return yaml.safe_load(TINY.read_text(encoding="utf-8"))


def find_item(data: Mapping, item_id: str) -> dict:
    """The mapping of item ``item_id`` in checklist mapping ``data`` (to change it in place)."""
    return next(i for s in data["sections"] for i in s["items"] if i["id"] == item_id)


# ---- visits in a store ------------------------------------------------------------------

SHEET = checklist(
    "sheet",
    sections={
        "ORG": [
            item("A.1", weight=2),
            item(
                "A.2",
                severity="critical",
                weight=3,
                action={"vi": "Tổ chức huấn luyện", "en": "Train the workers"},
            ),
            item("A.3", severity="minor"),
        ]
    },
)
"""The checklist of :func:`sheet`: A.1 (major, weight 2), A.2 (critical, weight 3, with
its own action, 7 days to correct), A.3 (minor): what a store test answers and finalizes."""
TEAM = ("Lò Văn Minh", "Tao Thị Hoa")
_codes = itertools.count(1)


def establishment(store, unit_code: str = "PT-NX", **attrs) -> int:
    """A new establishment (unique code) in commune ``unit_code``, added to the units when
    missing; ``attrs`` replace the defaults (a hydropower enterprise of 120 workers)."""
    from audit_lib.store import schema

    if unit_code not in set(store.units()["unit_code"]):
        with store.transaction() as conn:
            conn.execute(
                schema.units.insert().values(
                    unit_code=unit_code, name_vi=unit_code, level="commune"
                )
            )
    row = {
        "code": f"62{next(_codes):08d}",
        "name": "Công ty TNHH Thủy điện Nậm Lụm",
        "kind": "enterprise",
        "sector": "hydropower",
        "unit_code": unit_code,
        "workforce": 120,
        "strict_workers": 30,
        "has_strict_equipment": True,
    }
    return store.add_establishment(**{**row, **attrs})


def visit(
    store,
    checklists: Sequence[Checklist] = (SHEET,),
    establishment_id: int | None = None,
    visited_on="2025-05-12",
    type: str = "periodic",
    team=TEAM,
    by: str = "minh",
    **attrs,
) -> str:
    """A new draft visit (of a new establishment with ``attrs`` unless one is given)."""
    eid = establishment(store, **attrs) if establishment_id is None else establishment_id
    return store.create_visit(eid, visited_on, type, team, list(checklists), by=by)


def sheet(store, **kwargs) -> str:
    """The ``inspection_id`` of the one sheet of a new draft :func:`visit`."""
    return sheets(store, visit(store, **kwargs))[0]


def sheets(store, visit_id: str) -> list[str]:
    """The ``inspection_id`` of each sheet of a visit, in the order of its checklists."""
    return store.visit_sheets(visit_id)["inspection_id"].tolist()
