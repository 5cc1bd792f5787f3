"""Matplotlib figures used by the reports, returned as PNG bytes.

Usage::

    from audit_lib.analysis import _charts as charts
    png = charts.section_scores(["Tổ chức", "Huấn luyện"], [80.0, 45.5], pass_mark=75)
    png = charts.indicator_trend(
        [2021, 2022, 2023], values=[0.10, 0.09, 0.12], lower=[0.0, 0.0, 0.01],
        upper=[0.5, 0.4, 0.6], target=[0.10, 0.096, 0.092], title="T1", lang="vi")
    png = charts.breakdown(["Nậm Xe", "Dào San"], [72.0, 88.5], title="Tỷ lệ đạt (%)")

Each chart is also available as its :class:`~matplotlib.figure.Figure`
(``section_scores_figure``, ``indicator_trend_figure``, ``breakdown_figure``),
for a caller that wants the figure rather than its PNG (the tests read what was drawn).

Figures are built with the object API (:class:`matplotlib.figure.Figure` on an
Agg canvas), never through ``pyplot``: nothing is registered with a backend, so
nothing has to be closed, and kernels keep whatever backend they were given.
Text is normalised to NFC and drawn in DejaVu Sans (bundled with matplotlib),
which has every Vietnamese glyph; :func:`missing_glyphs` proves it for a text.
PNGs carry no software or date metadata, so the same data give the same bytes.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Sequence

from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font

from audit_lib.core.i18n import DEFAULT_LANG, nfc, tr

FONT = "DejaVu Sans"
DPI = 110
COLORS = {
    "bar": "#3b6ea8",
    "low": "#b33a3a",
    "value": "#1f4e79",
    "band": "#9ec5e8",
    "target": "#c0392b",
}

MESSAGES = {
    "score": {"vi": "Điểm (%)", "en": "Score (%)"},
    "pass_mark": {"vi": "Ngưỡng đạt", "en": "Pass mark"},
    "value": {"vi": "Giá trị", "en": "Value"},
    "interval": {"vi": "Khoảng tin cậy 95%", "en": "95% interval"},
    "target": {"vi": "Lộ trình mục tiêu", "en": "Target trajectory"},
    "period": {"vi": "Kỳ", "en": "Period"},
    "no_data": {"vi": "Chưa có số liệu", "en": "No data"},
}


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def png(fig: Figure) -> bytes:
    """The figure as PNG bytes (no metadata); the figure is cleared afterwards."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    fig.clear()
    return buffer.getvalue()


def _wrap(text: str, width: int = 70) -> str:
    return textwrap.fill(nfc(text), width)


def _texts(labels: Sequence[object]) -> list[str]:
    return [nfc(str(label)) for label in labels]


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _alone(known: Sequence[bool]) -> list[int]:
    """The positions that are ``known`` while their neighbours are not."""
    last = len(known) - 1
    return [
        i
        for i, here in enumerate(known)
        if here and not (i > 0 and known[i - 1]) and not (i < last and known[i + 1])
    ]


def section_scores(
    labels: Sequence[object],
    scores: Sequence[float | None],
    pass_mark: float | None = None,
    title: str = "",
    lang: str = DEFAULT_LANG,
) -> bytes:
    """Horizontal bars of section scores (0-100), red under the pass mark; PNG bytes."""
    return png(section_scores_figure(labels, scores, pass_mark, title, lang))


def section_scores_figure(
    labels: Sequence[object],
    scores: Sequence[float | None],
    pass_mark: float | None = None,
    title: str = "",
    lang: str = DEFAULT_LANG,
) -> Figure:
    """The figure of :func:`section_scores`: one bar per section, top to bottom."""
    names = _texts(labels)
    values = [0.0 if _missing(s) else float(s) for s in scores]
    fig = _figure(7.0, 0.9 + 0.42 * max(len(names), 1))
    ax = fig.add_subplot()
    rows = list(range(len(names)))[::-1]
    colors = [
        COLORS["low"] if pass_mark is not None and v < pass_mark else COLORS["bar"] for v in values
    ]
    ax.barh(rows, values, color=colors, height=0.6)
    for row, value, score in zip(rows, values, scores, strict=True):
        text = "—" if _missing(score) else f"{value:.1f}"
        ax.text(min(value, 100) + 1, row, text, va="center", fontsize=8, fontfamily=FONT)
    if pass_mark is not None:
        ax.axvline(pass_mark, color="#555", linestyle="--", linewidth=1)
        ax.text(
            pass_mark,
            len(names) - 0.4,
            nfc(tr(MESSAGES, "pass_mark", lang)),
            fontsize=7,
            ha="center",
            fontfamily=FONT,
        )
    ax.set_yticks(rows, names, fontfamily=FONT, fontsize=8)
    ax.set_xlim(0, 108)
    ax.set_xlabel(nfc(tr(MESSAGES, "score", lang)), fontfamily=FONT)
    if title:
        ax.set_title(_wrap(title), fontfamily=FONT, fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def indicator_trend(
    periods: Sequence[object],
    values: Sequence[float | None],
    lower: Sequence[float | None] | None = None,
    upper: Sequence[float | None] | None = None,
    target: Sequence[float | None] | None = None,
    title: str = "",
    ylabel: str = "",
    lang: str = DEFAULT_LANG,
) -> bytes:
    """An indicator over periods with its interval band and target trajectory; PNG bytes."""
    return png(indicator_trend_figure(periods, values, lower, upper, target, title, ylabel, lang))


def indicator_trend_figure(
    periods: Sequence[object],
    values: Sequence[float | None],
    lower: Sequence[float | None] | None = None,
    upper: Sequence[float | None] | None = None,
    target: Sequence[float | None] | None = None,
    title: str = "",
    ylabel: str = "",
    lang: str = DEFAULT_LANG,
) -> Figure:
    """The figure of :func:`indicator_trend`.

    The interval is a band over neighbouring periods and the target a dashed
    line; at a period whose neighbours have none, a band or line would have no
    length, so the interval is a bar there and the target a dash.
    """
    xs = list(range(len(periods)))
    fig = _figure(6.4, 3.2)
    ax = fig.add_subplot()

    def series(seq):
        return [math.nan if _missing(v) else float(v) for v in seq]

    if lower is not None and upper is not None:
        low, high = series(lower), series(upper)
        ax.fill_between(
            xs,
            low,
            high,
            color=COLORS["band"],
            alpha=0.5,
            label=nfc(tr(MESSAGES, "interval", lang)),
            linewidth=0,
        )
        alone = _alone(
            [not (math.isnan(a) or math.isnan(b)) for a, b in zip(low, high, strict=True)]
        )
        if alone:
            ax.vlines(
                alone,
                [low[x] for x in alone],
                [high[x] for x in alone],
                colors=COLORS["band"],
                alpha=0.5,
                linewidth=8,
            )
    if target is not None:
        aims = series(target)
        ax.plot(
            xs,
            aims,
            color=COLORS["target"],
            linestyle="--",
            marker="_",
            markersize=14,
            markevery=_alone([not math.isnan(v) for v in aims]),
            label=nfc(tr(MESSAGES, "target", lang)),
        )
    ax.plot(
        xs,
        series(values),
        color=COLORS["value"],
        marker="o",
        label=nfc(tr(MESSAGES, "value", lang)),
    )
    ax.set_xticks(xs, _texts(periods), fontfamily=FONT, fontsize=8)
    ax.set_xlabel(nfc(tr(MESSAGES, "period", lang)), fontfamily=FONT)
    if ylabel:
        ax.set_ylabel(nfc(ylabel), fontfamily=FONT)
    if title:
        ax.set_title(_wrap(title), fontfamily=FONT, fontsize=10)
    if not xs:
        ax.text(
            0.5,
            0.5,
            nfc(tr(MESSAGES, "no_data", lang)),
            ha="center",
            va="center",
            transform=ax.transAxes,
            fontfamily=FONT,
        )
    else:
        ax.legend(fontsize=7, prop={"family": FONT, "size": 7}, loc="best")
    ax.set_ylim(bottom=0)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def breakdown(
    labels: Sequence[object],
    values: Sequence[float | None],
    title: str = "",
    xlabel: str = "",
    limit: float | None = None,
) -> bytes:
    """Horizontal bars of one value per group (commune, sector, item), largest first; PNG."""
    return png(breakdown_figure(labels, values, title, xlabel, limit))


def breakdown_figure(
    labels: Sequence[object],
    values: Sequence[float | None],
    title: str = "",
    xlabel: str = "",
    limit: float | None = None,
) -> Figure:
    """The figure of :func:`breakdown`: one bar per group, top to bottom."""
    pairs = sorted(
        zip(_texts(labels), [0.0 if _missing(v) else float(v) for v in values], strict=True),
        key=lambda pair: (-pair[1], pair[0]),
    )
    fig = _figure(7.0, 0.9 + 0.36 * max(len(pairs), 1))
    ax = fig.add_subplot()
    rows = list(range(len(pairs)))[::-1]
    ax.barh(rows, [v for _, v in pairs], color=COLORS["bar"], height=0.6)
    top = max([v for _, v in pairs] + [limit or 0, 1e-9])
    for row, (_, value) in zip(rows, pairs, strict=True):
        ax.text(value + top * 0.01, row, f"{value:g}", va="center", fontsize=7, fontfamily=FONT)
    ax.set_yticks(rows, [name for name, _ in pairs], fontfamily=FONT, fontsize=8)
    ax.set_xlim(0, (limit or top) * 1.1)
    if xlabel:
        ax.set_xlabel(nfc(xlabel), fontfamily=FONT)
    if title:
        ax.set_title(_wrap(title), fontfamily=FONT, fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def missing_glyphs(text: str, family: str = FONT) -> set[str]:
    """The characters of ``text`` (after NFC) that ``family`` has no glyph for."""
    path = font_manager.findfont(
        font_manager.FontProperties(family=family), fallback_to_default=False
    )
    font = FT2Font(path)
    return {ch for ch in set(nfc(text)) if not ch.isspace() and font.get_char_index(ord(ch)) == 0}
