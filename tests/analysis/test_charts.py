"""charts: what each figure draws (read from its artists), Vietnamese text, deterministic
PNG bytes, nothing left open."""

from __future__ import annotations

import unicodedata

import matplotlib
import numpy as np
import pytest
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import to_hex

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
NAN = float("nan")


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


def top_to_bottom(labels) -> list[str]:
    """The texts of y tick ``labels``, from the top of the chart down."""
    return [t.get_text() for t in sorted(labels, key=lambda t: -t.get_position()[1])]


def bars(ax) -> list[tuple[float, str]]:
    """Each horizontal bar of ``ax`` as (length, colour), from the top of the chart down."""
    drawn = sorted(ax.patches, key=lambda bar: -bar.get_y())
    return [(bar.get_width(), to_hex(bar.get_facecolor())) for bar in drawn]


def intervals(ax) -> dict[float, tuple[float, float]]:
    """The interval drawn at each period: by the band, or by a bar where the band has no width."""
    drawn = {}
    for collection in ax.collections:
        if isinstance(collection, PolyCollection):
            for path in collection.get_paths():
                xy = path.vertices
                if np.ptp(xy[:, 0]) == 0:
                    continue  # a band of one period: no width, nothing to see
                for x in np.unique(xy[:, 0]):
                    ys = xy[xy[:, 0] == x, 1]
                    drawn[float(x)] = (float(ys.min()), float(ys.max()))
        elif isinstance(collection, LineCollection):
            for (x, low), (_, high) in collection.get_segments():
                drawn[float(x)] = (float(low), float(high))
    return drawn


# A label typed decomposed (NFD) must be drawn composed (NFC), as the tests below expect.
SECTIONS = (["Tổ chức", unicodedata.normalize("NFD", "Huấn luyện"), "Thiết bị"], [92.0, 40.5, NAN])


def test_section_scores_draw_each_score_top_down_red_under_the_pass_mark_with_vietnamese_labels():
    fig = charts.section_scores_figure(*SECTIONS, pass_mark=75, title="Điểm theo phần")
    [ax] = fig.axes
    blue, red = charts.COLORS["bar"], charts.COLORS["low"]
    assert bars(ax) == [(92.0, blue), (40.5, red), (0.0, red)]  # no score: no bar
    assert top_to_bottom(ax.get_yticklabels()) == ["Tổ chức", "Huấn luyện", "Thiết bị"]
    assert [t.get_text() for t in ax.texts] == ["92.0", "40.5", "—", "Ngưỡng đạt"]
    [mark] = ax.lines
    assert list(mark.get_xdata()) == [75, 75]
    assert (ax.get_xlabel(), ax.get_title()) == ("Điểm (%)", "Điểm theo phần")
    english = charts.section_scores_figure(*SECTIONS, pass_mark=75, lang="en").axes[0]
    assert english.get_xlabel() == "Score (%)" and english.texts[-1].get_text() == "Pass mark"


def test_section_scores_without_a_pass_mark_draw_every_bar_blue_and_no_line():
    [ax] = charts.section_scores_figure(["A", "B"], [10.0, 100.0]).axes
    assert bars(ax) == [(10.0, charts.COLORS["bar"]), (100.0, charts.COLORS["bar"])]
    assert list(ax.lines) == []


def test_section_scores_png_is_the_figure_and_the_same_data_give_the_same_bytes():
    first = charts.section_scores(*SECTIONS, pass_mark=75, title="Điểm theo phần")
    second = charts.section_scores(*SECTIONS, pass_mark=75, title="Điểm theo phần")
    figure = charts.section_scores_figure(*SECTIONS, pass_mark=75, title="Điểm theo phần")
    assert first.startswith(PNG) and first == second == charts.png(figure)
    assert b"Software" not in first and b"matplotlib" not in first


TREND = {
    "periods": ["2021", "2022", "2023", "2024"],
    "values": [0.1, None, 0.12, 0.11],
    "lower": [0.0, None, 0.01, 0.02],
    "upper": [0.5, None, 0.6, 0.55],
    "target": [0.1, 0.096, 0.092, 0.088],
}


def test_indicator_trend_draws_values_with_gaps_intervals_and_the_target():
    fig = charts.indicator_trend_figure(**TREND, title="T1 Tần suất TNLĐ chết người", ylabel="‰")
    [ax] = fig.axes
    target, value = ax.lines
    np.testing.assert_array_equal(value.get_ydata(), [0.1, NAN, 0.12, 0.11])  # 2022: a gap
    np.testing.assert_array_equal(target.get_ydata(), TREND["target"])
    assert target.get_markevery() == []  # a line joins every period: no dash needed
    assert (value.get_marker(), target.get_linestyle()) == ("o", "--")
    assert intervals(ax) == {
        0.0: (0.0, 0.5),  # alone between no data and a gap: a bar, not a band
        2.0: (0.01, 0.6),
        3.0: (0.02, 0.55),
    }
    assert [t.get_text() for t in ax.get_xticklabels()] == TREND["periods"]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("Kỳ", "‰")
    assert ax.get_title() == "T1 Tần suất TNLĐ chết người"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["Khoảng tin cậy 95%", "Lộ trình mục tiêu", "Giá trị"]
    assert ax.get_ylim()[0] == 0


def test_a_period_standing_alone_still_shows_its_interval_and_target():
    [ax] = charts.indicator_trend_figure(["2025"], [0.3], [0.1], [0.7], [0.5], lang="en").axes
    assert intervals(ax) == {0.0: (0.1, 0.7)}
    target, value = ax.lines
    assert (list(target.get_ydata()), target.get_markevery()) == ([0.5], [0])  # a dash
    assert list(value.get_ydata()) == [0.3]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["95% interval", "Target trajectory", "Value"]


def test_indicator_trend_without_periods_says_there_is_no_data():
    [ax] = charts.indicator_trend_figure([], [], lang="en").axes
    assert [t.get_text() for t in ax.texts] == ["No data"]
    assert ax.get_legend() is None and intervals(ax) == {}
    assert charts.indicator_trend([], []).startswith(PNG)


def test_breakdown_draws_the_largest_first_and_a_missing_value_as_zero():
    fig = charts.breakdown_figure(["Nậm Xe", "Dào San", "Sì Lở Lầu"], [72.0, None, 88.5], limit=100)
    [ax] = fig.axes
    blue = charts.COLORS["bar"]
    assert bars(ax) == [(88.5, blue), (72.0, blue), (0.0, blue)]
    assert top_to_bottom(ax.get_yticklabels()) == ["Sì Lở Lầu", "Nậm Xe", "Dào San"]
    assert [t.get_text() for t in ax.texts] == ["88.5", "72", "0"]
    assert ax.get_xlim() == pytest.approx((0, 110))  # the limit, not the largest bar


def test_breakdown_of_nothing_draws_no_bar():
    [ax] = charts.breakdown_figure([], []).axes
    assert list(ax.patches) == [] and list(ax.texts) == []
    assert charts.breakdown([], []).startswith(PNG)


def test_charts_register_no_pyplot_figure_and_leave_the_backend_alone():
    backend = matplotlib.get_backend()
    charts.section_scores(["A"], [50.0])
    assert matplotlib.get_backend() == backend
    pyplot = pytest.importorskip("matplotlib.pyplot")
    assert pyplot.get_fignums() == []
