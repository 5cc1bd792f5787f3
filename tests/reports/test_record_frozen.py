"""A record is frozen: once its visit is finalized it prints the same, whatever happens to
the checklist files or to the establishment afterwards."""

from __future__ import annotations

import shutil

import pytest
import yaml

from audit_lib.checklists import load_checklist
from audit_lib.core.resources import shipped
from audit_lib.reports import _runner as reports
from tests.reports.test_notebooks import FIRST_NAME, FOLLOW_UP_NAME, build_visits, kernel_or_skip

PIECES = ("heading", "details", "result", "sections", "findings", "checked", "gaps", "advice")
PIECES += ("rules",)
PIECES += ("signatures", "provenance")


def printed(url: str, visit_id: str) -> dict[tuple[str, str], str]:
    """Every piece of the record of ``visit_id``, in both languages."""
    from audit_lib.reports import VisitRecord

    shown = {}
    for lang in ("vi", "en"):
        record = VisitRecord.load(url, visit_id, lang)
        shown.update({(lang, piece): getattr(record, piece)() for piece in PIECES})
    return shown


def harden(folder) -> None:
    """Edit the checklists in ``folder`` as a later year might: every weight tripled, every
    major item made critical, a new version."""
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text("utf-8"))
        data["version"] = "2099.1"
        items = [item for section in data["sections"] for item in section["items"]]
        for item in items:
            item["weight"] = 3 * item.get("weight", 1)
        for item in items:
            if item.get("severity") == "major":
                item["severity"] = "critical"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")


def change_establishment(url: str, establishment_id: int) -> None:
    """Today's establishment and commune are no longer what they were at the visits."""
    import sqlalchemy as sa

    from audit_lib.store import open_store, schema

    e, u = schema.establishments, schema.units
    with open_store(url) as store, store.transaction() as conn:
        conn.execute(
            e.update()
            .where(e.c.establishment_id == establishment_id)
            .values(name="Công ty Mới", code="9999999999", workforce=5, strict_workers=0)
        )
        conn.execute(u.update().where(u.c.unit_code == "PT-NX").values(name_vi="Xã Mới"))
        assert conn.execute(sa.select(e.c.name)).scalar_one() == "Công ty Mới"


@pytest.fixture
def checklist_folder(tmp_path, monkeypatch):
    """A copy of the shipped checklists, the one every checklist reader uses."""
    folder = tmp_path / "checklists"
    shutil.copytree(shipped("checklists"), folder)
    monkeypatch.setenv("AUDIT_CHECKLISTS", str(folder))
    return folder


def test_a_record_prints_the_same_after_its_checklists_and_establishment_change(
    checklist_folder, tmp_path
):
    from audit_lib.checklists import load_checklists
    from audit_lib.scoring import score
    from audit_lib.store import open_store

    url = f"sqlite:///{tmp_path / 'audit.db'}"
    ids = build_visits(url, load_checklists())
    before = {vid: printed(url, vid) for vid in (ids["first"], ids["follow_up"])}

    harden(checklist_folder)
    change_establishment(url, ids["establishment"])

    edited = load_checklists()  # from the edited folder
    assert {c.version for c in edited.values()} == {"2099.1"}
    with open_store(url) as store:  # scored again, the visit would read differently
        sheets = store.visit_sheets(ids["first"])
        stored = store.scored(sheets["inspection_id"]).scores.set_index("checklist_id")
        mining = sheets[sheets["checklist_id"] == "mining"]
        again = score(edited["mining"], store.responses(mining["inspection_id"]), mining,
                      store.establishments())  # fmt: skip
    assert again.scores["critical_failures"].iloc[0] > stored.loc["mining", "critical_failures"]

    after = {vid: printed(url, vid) for vid in before}
    for vid, pieces in before.items():
        for key, piece in pieces.items():
            assert after[vid][key] == piece, (vid, key)
    assert "Công ty &lt;b&gt;Đất hiếm&lt;/b&gt; Nậm Xe" in after[ids["first"]]["vi", "details"]
    assert "Nậm Xe, ngày 10 tháng 05 năm 2024" in after[ids["first"]]["vi", "heading"]
    made_with = load_checklist(shipped("checklists", "mining.yaml")).version  # not 2099.1
    assert f"mining {made_with}" in after[ids["first"]]["en", "provenance"]


@pytest.mark.kernel
def test_the_printed_pages_are_byte_identical_after_the_checklists_and_establishment_change(
    checklist_folder, tmp_path
):
    from audit_lib.checklists import load_checklists

    kernel_or_skip()
    url = f"sqlite:///{tmp_path / 'audit.db'}"
    ids = build_visits(url, load_checklists())
    first = reports.run_inspection_reports(url, tmp_path / "first", jobs=2, progress=False)

    harden(checklist_folder)  # the kernels inherit AUDIT_CHECKLISTS: the edited folder
    change_establishment(url, ids["establishment"])
    again = reports.run_inspection_reports(url, tmp_path / "again", jobs=2, progress=False)

    assert first.read_bytes() == again.read_bytes()  # the index: same names, same labels
    for name in (FIRST_NAME, FOLLOW_UP_NAME):
        for ext in ("html", "ipynb"):
            made = f"{name}.{ext}"
            assert (first.parent / made).read_bytes() == (again.parent / made).read_bytes(), made
