"""Responses files: answer aliases, the YAML and CSV formats, every problem named."""

from __future__ import annotations

import math
import unicodedata

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from audit_lib.checklists import load_checklist, load_checklists
from audit_lib.core.errors import ResponsesError
from audit_lib.scoring import score_many
from audit_lib.scoring._responses import ANSWER_ALIASES, answer_code, read_responses
from tests.factories import checklist_data, item, write_yaml


@pytest.fixture(scope="module")
def checklists(root):
    return {"example": load_checklist(root / "tests/data/scoring/checklists/example.yaml")}


@pytest.mark.parametrize(
    "typed, code",
    [
        ("Đạt", "compliant"),
        ("dat", "compliant"),
        (" ĐẠT ", "compliant"),
        ("Đ", "compliant"),
        ("C", "compliant"),
        ("yes", "compliant"),
        ("x", "compliant"),
        ("✓", "compliant"),
        ("1", "compliant"),
        (True, "compliant"),
        (1, "compliant"),
        ("Không đạt", "noncompliant"),
        ("KHÔNG   ĐẠT", "noncompliant"),
        ("khong dat", "noncompliant"),
        ("KĐ", "noncompliant"),
        ("kd", "noncompliant"),
        ("NC", "noncompliant"),
        ("no", "noncompliant"),
        ("✗", "noncompliant"),
        ("0", "noncompliant"),
        (False, "noncompliant"),
        ("Không áp dụng", "na"),
        ("KAD", "na"),
        ("KAĐ", "na"),
        ("N/A", "na"),
        ("na", "na"),
        ("-", "na"),
        ("", None),
        ("   ", None),
        (None, None),
        (float("nan"), None),
    ],
)
def test_what_people_type_maps_to_an_answer_code(typed, code):
    assert answer_code(typed) == code


def test_decomposed_unicode_is_read_like_composed():
    assert answer_code(unicodedata.normalize("NFD", "Không áp dụng")) == "na"
    assert answer_code(unicodedata.normalize("NFD", "Đạt")) == "compliant"


def test_every_alias_reads_as_its_own_code():
    for alias, code in ANSWER_ALIASES.items():
        assert answer_code(alias) == code
        assert answer_code(alias.upper()) == code


@pytest.mark.parametrize("typed", ["maybe", "Đạt một phần", 2, [1]])
def test_unreadable_answers_are_refused_with_the_accepted_words(typed):
    with pytest.raises(ValueError, match="write Đạt, Không đạt or Không áp dụng"):
        answer_code(typed)


YAML = """\
inspections:
  - id: A
    checklist: example
    inspected_on: 2025-05-12
    type: periodic
    inspectors: [Nguyễn Văn Hùng, Lò Thị Mai]
    establishment:
      name: "Xưởng mộc Bản Lang"
      sector: wood
      kind: household
      workforce: 30
      has_strict_equipment: có
      employs_minors: false
    answers:
      EX.ORG.01: Đạt
      EX.ORG.03: {answer: KĐ, note: "Chưa niêm yết"}
      EX.SAF.01: yes
      EX.HLT.01: N/A
"""


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_yaml_file_gives_inspections_with_attributes_and_long_responses(tmp_path, checklists):
    read = read_responses(write(tmp_path, "r.yaml", YAML), checklists)
    insp = read.inspections.iloc[0]
    assert insp["inspection_id"] == "A"
    assert insp["checklist_id"] == "example"
    assert str(insp["inspected_on"]) == "2025-05-12"
    assert insp["workforce"] == 30
    assert bool(insp["has_strict_equipment"]) is True
    assert bool(insp["employs_minors"]) is False
    assert insp["inspectors"] == "Nguyễn Văn Hùng; Lò Thị Mai"
    assert pd.isna(insp["high_risk"])
    assert read.responses["item_id"].tolist() == [
        "EX.ORG.01",
        "EX.ORG.03",
        "EX.SAF.01",
        "EX.HLT.01",
    ]
    assert read.responses["answer"].tolist() == ["compliant", "noncompliant", "compliant", "na"]
    assert read.responses["note"].fillna("").tolist() == ["", "Chưa niêm yết", "", ""]
    assert read.responses["source"].tolist() == ["inspection A"] * 4


CSV = """\
inspection_id,checklist_id,inspected_on,name,sector,kind,workforce,item_id,answer,value,note
A,example,12/05/2025,Xưởng mộc Bản Lang,wood,household,30,EX.ORG.01,Đạt,,
A,example,12/05/2025,,,,,EX.ORG.03,KĐ,,Chưa niêm yết
A,example,12/05/2025,,,,,EX.SAF.01,C,,
A,example,12/05/2025,,,,,EX.HLT.01,KAD,,
A,example,12/05/2025,,,,,EX.HLT.02,,,
"""


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_csv_file_reads_the_same_as_yaml(tmp_path, checklists, encoding):
    from_csv = read_responses(write(tmp_path, "r.csv", CSV, encoding), checklists)
    from_yaml = read_responses(write(tmp_path, "r.yaml", YAML), checklists)
    assert from_csv.responses["answer"].tolist()[:4] == from_yaml.responses["answer"].tolist()
    assert pd.isna(from_csv.responses["answer"].tolist()[4])
    assert from_csv.responses["source"].tolist() == [f"line {n}" for n in range(2, 7)]
    assert from_csv.inspections.loc[0, "name"] == "Xưởng mộc Bản Lang"
    assert str(from_csv.inspections.loc[0, "inspected_on"]) == "2025-05-12"


def test_a_number_answer_to_a_count_item_is_its_value(tmp_path):
    counted = [
        item("C.A.1", answer="count"),
        item("C.A.2", severity="critical", answer="count", threshold={"op": ">=", "item": "C.A.1"}),
        item("C.A.3", answer="number", threshold={"op": "<=", "value": 85}),
    ]
    path = write_yaml(tmp_path / "counts.yaml", checklist_data("counts", sections={"A": counted}))
    counts = {"counts": load_checklist(path)}  # read from a file, as the command line does
    text = """\
inspections:
  - {id: K, checklist: counts, inspected_on: 2025-01-10,
     answers: {C.A.1: 12, C.A.2: {value: "10"}, C.A.3: "85,5"}}
"""
    read = read_responses(write(tmp_path, "k.yaml", text), counts)
    assert read.responses["value"].tolist() == [12.0, 10.0, 85.5]
    assert read.responses["answer"].isna().all()
    scored = score_many(counts, read.responses, read.inspections)
    assert scored.findings["item_id"].tolist() == ["C.A.2", "C.A.3"]
    assert scored.scores.loc[0, "verdict"] == "fail_critical"


def problems_of(path, checklists) -> list[str]:
    with pytest.raises(ResponsesError) as caught:
        read_responses(path, checklists)
    return [str(p) for p in caught.value.problems]


def test_csv_problems_name_file_line_item_and_field_all_at_once(tmp_path, checklists):
    bad = CSV.replace("EX.ORG.03,KĐ", "EX.ORG.99,KĐ").replace("EX.SAF.01,C", "EX.SAF.01,maybe")
    bad = bad.replace("EX.HLT.01,KAD,,", "EX.HLT.01,KAD,3,")
    path = write(tmp_path, "bad.csv", bad)
    found = problems_of(path, checklists)
    assert f"{path}: line 3, item EX.ORG.99: item_id: no such item in checklist example" in found
    assert any(
        p.startswith(f"{path}: line 4, item EX.SAF.01: answer: cannot read answer 'maybe'")
        for p in found
    )
    assert any(
        p.startswith(f"{path}: line 5, item EX.HLT.01: value: only count or number items")
        for p in found
    )
    assert len(found) == 3


def test_csv_rows_of_one_inspection_must_agree(tmp_path, checklists):
    bad = CSV.replace("A,example,12/05/2025,,,,,EX.SAF.01", "A,example,13/05/2025,,,,,EX.SAF.01")
    found = problems_of(write(tmp_path, "bad.csv", bad), checklists)
    assert len(found) == 1
    assert "line 4: inspected_on: '13/05/2025' differs from '12/05/2025' on line 2" in found[0]


def test_csv_missing_and_unknown_columns(tmp_path, checklists):
    found = problems_of(
        write(tmp_path, "bad.csv", "inspection_id,item_id,answr\nA,EX.ORG.01,Đạt\n"), checklists
    )
    assert "line 1: checklist_id, inspected_on, answer: missing column(s)" in found[0]


def test_csv_that_is_not_utf8_names_the_line(tmp_path, checklists):
    path = write(tmp_path, "latin.csv", CSV.replace("Chưa niêm yết", "Ch\u1b0ca"), "utf-8")
    path.write_bytes(path.read_bytes().replace("Xưởng".encode(), "X\xe6".encode("latin-1")))
    found = problems_of(path, checklists)
    assert found == [f"{path}: line 2: not UTF-8 text; save the file as UTF-8"]


def test_yaml_problems_name_the_inspection_item_and_field(tmp_path, checklists):
    bad = (
        YAML.replace("sector: wood", "sector: forestry")
        .replace("workforce: 30", "workforce: many")
        .replace("EX.SAF.01: yes", "EX.SAF.07: yes")
        .replace("inspected_on: 2025-05-12", "inspected_on: next week")
        .replace("type: periodic", "type: weekly")
    )
    found = problems_of(write(tmp_path, "bad.yaml", bad), checklists)
    text = "\n".join(found)
    assert "inspection #1: inspected_on: date 'next week' not understood" in text
    assert "inspection #1: establishment.sector: unknown sector 'forestry'" in text
    assert "inspection #1: establishment.workforce: must be a whole number" in text
    assert "inspection A, item EX.SAF.07: item_id: no such item in checklist example" in text
    assert "inspection #1: type: unknown inspection type; use one of: periodic," in text
    assert len(found) == 5


def test_yaml_unknown_checklist_and_duplicate_inspection(tmp_path, checklists):
    entry = YAML.split("inspections:\n", 1)[1]
    third = entry.replace("id: A", "id: B").replace("example", "mine")
    found = problems_of(write(tmp_path, "bad.yaml", YAML + entry + third), checklists)
    assert len(found) == 2
    assert found[0].endswith("inspection #2: inspection_id: inspection id 'A' is used twice")
    assert found[1].endswith(
        "inspection #3: checklist_id: unknown checklist 'mine'; known: example"
    )


def test_yaml_syntax_error_names_its_line(tmp_path, checklists):
    found = problems_of(write(tmp_path, "bad.yaml", "inspections:\n  - id: [A\n"), checklists)
    assert len(found) == 1
    assert ": line 3, column 1: YAML syntax error" in found[0]


def test_missing_file_and_unknown_suffix(tmp_path, checklists):
    assert problems_of(tmp_path / "none.yaml", checklists) == [
        f"{tmp_path / 'none.yaml'}: file not found"
    ]
    found = problems_of(write(tmp_path, "r.txt", "x"), checklists)
    assert found == [f"{tmp_path / 'r.txt'}: use a .yaml, .yml or .csv file"]


def test_checklist_must_apply_to_the_establishments_sector(tmp_path):
    shipped = load_checklists()
    text = """\
inspections:
  - id: W
    checklist: mining
    inspected_on: 2025-05-12
    establishment: {sector: wood, kind: household}
    answers: {}
"""
    found = problems_of(write(tmp_path, "w.yaml", text), shipped)
    assert found == [
        f"{tmp_path / 'w.yaml'}: inspection #1: checklist_id: checklist mining does not apply "
        "to sector wood, kind household"
    ]


@pytest.mark.parametrize("name", ["inspections.yaml", "inspections.csv"])
def test_shipped_examples_read_and_score(root, name):
    checklists = load_checklists()
    read = read_responses(root / "data" / "examples" / name, checklists)
    scored = score_many(checklists, read.responses, read.inspections)
    assert len(scored.scores) == read.inspections.shape[0]
    assert all(0 <= s <= 100 for s in scored.scores["score"] if not math.isnan(s))


def test_shipped_yaml_example_shows_pass_critical_failure_fail_and_gaps(root):
    checklists = load_checklists()
    read = read_responses(root / "data" / "examples" / "inspections.yaml", checklists)
    scores = score_many(checklists, read.responses, read.inspections).scores.set_index(
        "inspection_id"
    )
    assert scores.loc["NX-2025-05-GEN", "verdict"] == "pass"
    assert scores.loc["NX-2025-05-MIN", "verdict"] == "fail_critical"
    assert scores.loc["NX-2025-05-MIN", "score"] > 90
    assert scores.loc["NL-2025-05-CON", "verdict"] == "incomplete"
    assert scores.loc["BL-2025-05-GEN", "verdict"] == "fail"
    assert scores.loc["MS-2025-05-GEN", "verdict"] == "pass"


@given(
    st.sampled_from(sorted(ANSWER_ALIASES)),
    st.lists(st.booleans(), min_size=30, max_size=30),
    st.sampled_from(["", " ", "  ", "\t"]),
)
def test_case_and_surrounding_space_never_change_an_alias(alias, upper, pad):
    mixed = "".join(c.upper() if upper[k] else c.lower() for k, c in enumerate(alias))
    typed = pad + mixed + pad
    assert answer_code(typed) == ANSWER_ALIASES[alias]


def test_an_impossible_date_is_a_problem_at_its_line_not_a_crash(tmp_path, checklists):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "inspections:\n  - id: x\n    checklist: general\n    inspected_on: 2025-13-45\n"
        "    answers: {}\n",
        encoding="utf-8",
    )
    with pytest.raises(ResponsesError) as caught:
        read_responses(path, checklists)
    (problem,) = caught.value.problems
    assert problem.location == "line 4, column 19"
    assert "'2025-13-45' is not a valid date" in problem.message


def test_an_item_answered_twice_in_one_yaml_block_is_refused(tmp_path, checklists):
    path = tmp_path / "twice.yaml"
    path.write_text(
        "inspections:\n  - id: x\n    checklist: general\n    inspected_on: 2025-01-05\n"
        "    answers: {GEN.ORG.01: dat, GEN.ORG.01: kd}\n",
        encoding="utf-8",
    )
    with pytest.raises(ResponsesError, match="key 'GEN.ORG.01' is given twice"):
        read_responses(path, checklists)
