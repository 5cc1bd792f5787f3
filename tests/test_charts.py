"""charts: PNG figures with Vietnamese text, deterministic bytes, nothing left open."""

from __future__ import annotations

import unicodedata

import matplotlib
import pytest

from audit_lib.analysis import _findings as explore
from audit_lib.analysis import charts
from audit_lib.core.vocabulary import (
    INSPECTION_VERDICT_LABELS,
    KIND_LABELS,
    SECTOR_LABELS,
    SEVERITY_LABELS,
    VISIT_TYPE_LABELS,
)
from audit_lib.indicators import CATALOGUE
from audit_lib.reports import _monitoring as periodic
from audit_lib.reports import _record as record
from audit_lib.reports import _render as render
from audit_lib.reports import _runner as reports

PNG = b"\x89PNG\r\n\x1a\n"


def catalogue_texts(*catalogues) -> str:
    return " ".join(text for cat in catalogues for entry in cat.values() for text in entry.values())


def test_dejavu_sans_has_a_glyph_for_every_character_in_labels():
    labels = catalogue_texts(
        charts.MESSAGES,
        record.MESSAGES,
        SECTOR_LABELS,
        KIND_LABELS,
        VISIT_TYPE_LABELS,
        INSPECTION_VERDICT_LABELS,
        SEVERITY_LABELS,
        explore.MESSAGES,
        render.MESSAGES,
        reports.MESSAGES,
        periodic.MESSAGES,
        {key: ind.label for key, ind in CATALOGUE.items()},  # trend chart titles
    )
    alphabet = "ạảãàáâậầấẩẫăắằặẳẵóòọõỏôộổỗồốơờớợởỡéèẻẹẽêếềệểễúùủũụưựữửừứíìịỉĩýỳỷỵỹđ"
    everything = labels + alphabet + alphabet.upper() + "Phong Thổ Sì Lở Lầu Khổng Lào Nậm Xe"
    assert charts.missing_glyphs(everything) == set()


def test_decomposed_vietnamese_is_normalised_before_lookup():
    nfd = unicodedata.normalize("NFD", "Huấn luyện ATVSLĐ")
    assert charts.missing_glyphs(nfd) == set()


def test_a_character_outside_the_font_is_reported():
    assert charts.missing_glyphs("Đạt 安") == {"安"}


def test_section_scores_chart_is_a_png_and_the_same_data_give_the_same_bytes():
    args = (["Tổ chức", "Huấn luyện", "Thiết bị"], [92.0, 40.5, float("nan")])
    first = charts.section_scores(*args, pass_mark=75, title="Điểm theo phần")
    second = charts.section_scores(*args, pass_mark=75, title="Điểm theo phần")
    assert first.startswith(PNG) and first == second
    assert b"Software" not in first and b"matplotlib" not in first


def test_indicator_trend_draws_gaps_bands_and_targets():
    png = charts.indicator_trend(
        ["2021", "2022", "2023"],
        values=[0.1, None, 0.12],
        lower=[0.0, None, 0.01],
        upper=[0.5, None, 0.6],
        target=[0.1, 0.096, 0.092],
        title="T1 Tần suất TNLĐ chết người",
        ylabel="‰",
        lang="en",
    )
    assert png.startswith(PNG)
    assert charts.indicator_trend([], []).startswith(PNG)


def test_breakdown_accepts_empty_and_missing_values():
    assert charts.breakdown(["Nậm Xe", "Dào San"], [72.0, None], limit=100).startswith(PNG)
    assert charts.breakdown([], []).startswith(PNG)


def test_charts_register_no_pyplot_figure_and_leave_the_backend_alone():
    backend = matplotlib.get_backend()
    charts.section_scores(["A"], [50.0])
    assert matplotlib.get_backend() == backend
    pyplot = pytest.importorskip("matplotlib.pyplot")
    assert pyplot.get_fignums() == []
