"""Every citation in the shipped checklists names a document listed, with its full title and
dates, in ``data/legal_sources.yaml``; advice items cite good practice, never the law.

What an inspector relies on: a legal item's ``legal_basis`` points at a real document (by its
number) and, where it names an article, clause or point, writes them one way; an advice item's
``reference`` points at a practice source (ILO WIND, ...). The rules run over every file in
``checklists/``, so a new checklist is held to them as soon as it is added.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from audit_lib.checklists import load_checklists

ROOT = Path(__file__).resolve().parents[2]
CHECKLIST_DIR = ROOT / "checklists"
SOURCES_FILE = ROOT / "data" / "legal_sources.yaml"
IDS = sorted(path.stem for path in CHECKLIST_DIR.glob("*.yaml"))

# "document[, Điều N[, khoản N[, điểm x]]]"
CITATION = re.compile(
    r"(?P<document>.+?)(?:, Điều (?P<article>\d+)(?:, khoản (?P<clause>\d+)"
    r"(?:, điểm (?P<point>[a-zđ]))?)?)?"
)
# 84/2015/QH13, 39/2016/NĐ-CP, 07/2016/TT-BLĐTBXH, 05/2016/TTLT-BNNPTNT-BTNMT, QCVN 18:2021/BXD
NUMBER = re.compile(
    r"\d+/\d{4}/(?:QH\d+|NĐ-CP|TT-[A-ZĐ]+|TTLT-[A-ZĐ]+(?:-[A-ZĐ]+)*)"
    r"|QCVN \d+(?:-\d+)?:\d{4}/[A-ZĐ]+"
)
TYPES = {"law", "decree", "circular", "joint_circular", "technical_regulation"}
STATUSES = {"in_force", "replaced", "not_verified"}


@pytest.fixture(scope="module")
def checklists():
    return load_checklists(CHECKLIST_DIR)


@pytest.fixture(scope="module")
def sources() -> dict:
    return yaml.safe_load(SOURCES_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def documents(sources) -> dict[str, dict]:
    return {document["cite_as"]: document for document in sources["documents"]}


def parse(citation: str) -> re.Match:
    match = CITATION.fullmatch(citation)
    assert match, citation
    return match


def test_the_sources_file_lists_each_document_once_with_title_issuer_and_status(sources):
    problems = []
    numbers = [document["number"] for document in sources["documents"]]
    cites = [document["cite_as"] for document in sources["documents"]]
    assert len(set(numbers)) == len(numbers)
    assert len(set(cites)) == len(cites)
    for document in sources["documents"]:
        name = document["number"]
        if not NUMBER.fullmatch(name):
            problems.append(f"{name}: not a document number")
        if NUMBER.findall(document["cite_as"]) != [name]:
            problems.append(f"{name}: cite_as {document['cite_as']!r} must carry the number")
        if document["type"] not in TYPES:
            problems.append(f"{name}: type {document['type']!r}")
        for field in ("title", "issuer"):
            if not (document[field].get("vi") and document[field].get("en")):
                problems.append(f"{name}: {field} needs vi and en")
        if document["status"] not in STATUSES:
            problems.append(f"{name}: status {document['status']!r}")
        if (document["status"] == "replaced") != bool(document.get("replaced_by")):
            problems.append(f"{name}: replaced_by goes with status replaced, and only with it")
        for field in ("signed", "in_force"):
            if document[field] is not None and not isinstance(document[field], dt.date):
                problems.append(f"{name}: {field} must be a date or null")
        if (
            document["signed"]
            and document["in_force"]
            and document["in_force"] < document["signed"]
        ):
            problems.append(f"{name}: in force before it was signed")
        if not isinstance(document["verified"], bool):
            problems.append(f"{name}: verified must be true or false")
        unknown = document["status"] == "not_verified" or document["in_force"] is None
        if unknown and not (document.get("note", {}).get("vi") and document["note"].get("en")):
            problems.append(f"{name}: what is not verified must be said in a bilingual note")
    assert not problems


def test_the_sources_file_says_when_it_was_checked(sources):
    assert isinstance(sources["checked_on"], dt.date)


@pytest.mark.parametrize("name", IDS)
def test_every_legal_basis_is_well_formed_and_names_a_listed_document(checklists, documents, name):
    bad = []
    for item in checklists[name].items:
        if item.is_advice:
            continue
        for citation in item.legal_basis:
            match = CITATION.fullmatch(citation)
            if not match:
                bad.append(f"{item.id}: {citation!r} is not 'document, Điều N, khoản N, điểm x'")
                continue
            document = documents.get(match["document"])
            if document is None:
                bad.append(f"{item.id}: {match['document']!r} is not in {SOURCES_FILE.name}")
                continue
            articles = document.get("articles")
            if match["article"] and articles and not 1 <= int(match["article"]) <= articles:
                bad.append(f"{item.id}: {citation!r}: the document has {articles} articles")
    assert not bad


def test_clause_level_citations_parse_into_article_clause_and_point():
    match = parse("Luật ATVSLĐ 84/2015/QH13, Điều 81, khoản 1, điểm a")
    assert match.group("document", "article", "clause", "point") == (
        "Luật ATVSLĐ 84/2015/QH13",
        "81",
        "1",
        "a",
    )
    assert parse("QCVN 04:2009/BCT, Điều 13").group("document", "article", "clause") == (
        "QCVN 04:2009/BCT",
        "13",
        None,
    )
    assert parse("Nghị định 39/2016/NĐ-CP")["article"] is None
    # a clause without its article, or the article after the clause, is not a citation form
    assert parse("Luật ATVSLĐ 84/2015/QH13, khoản 2")["article"] is None
    assert parse("Luật ATVSLĐ 84/2015/QH13, khoản 2, Điều 30")["document"].endswith("khoản 2")


@pytest.mark.parametrize("name", IDS)
def test_every_advice_reference_names_a_listed_practice_source(checklists, sources, name):
    practice = [source["cite_as"] for source in sources["practice"]]
    bad = [
        f"{item.id}: {reference!r}"
        for item in checklists[name].items
        if item.is_advice
        for reference in item.reference
        if not any(reference.startswith(source) for source in practice)
    ]
    assert not bad


@pytest.mark.parametrize("name", IDS)
def test_advice_items_cite_no_law_and_carry_nothing_that_makes_a_finding(checklists, name):
    bad = [
        item.id
        for item in checklists[name].items
        if item.is_advice
        and (
            item.legal_basis
            or item.severity
            or item.days_to_correct
            or item.feeds
            or item.answer != "compliance"
        )
    ]
    assert not bad


@pytest.mark.parametrize("name", IDS)
def test_a_checklist_source_names_only_listed_documents(checklists, documents, name):
    listed = {document["number"] for document in documents.values()}
    source = checklists[name].source
    named = set(NUMBER.findall(source.vi)) | set(NUMBER.findall(source.en))
    assert named - listed == set()


def test_the_items_the_review_found_wrong_cite_the_right_articles(checklists):
    """Issue #11: the citations a review of Law 84/2015 found wrong or imprecise."""
    general, mining, construction = (checklists[n] for n in ("general", "mining", "construction"))
    law = "Luật ATVSLĐ 84/2015/QH13"
    assert general.item("GEN.EQP.03").legal_basis == [f"{law}, Điều 30, khoản 2", f"{law}, Điều 33"]
    assert general.item("GEN.EQP.04").legal_basis == [f"{law}, Điều 30, khoản 3"]
    assert mining.item("MIN.EMR.02").legal_basis == [f"{law}, Điều 79"]
    assert general.item("GEN.EMR.03").legal_basis == [f"{law}, Điều 79", "Thông tư 19/2016/TT-BYT"]
    assert f"{law}, Điều 66" in construction.item("CON.SIT.03").legal_basis
    assert f"{law}, Điều 80" in general.item("GEN.PLN.06").legal_basis
    assert f"{law}, Điều 81, khoản 1, điểm a" in general.item("GEN.PLN.07").legal_basis
    assert "Thông tư 19/2012/TT-BKHCN" in mining.item("MIN.RAD.03").legal_basis
    explosives = [c for c in mining.item("MIN.EXP.01").legal_basis if "vật liệu nổ" in c]
    assert explosives == [
        "Luật Quản lý, sử dụng vũ khí, vật liệu nổ và công cụ hỗ trợ 42/2024/QH15"
    ]
