"""Escaped HTML fragments for reports and notebooks: tables, headings, images, signatures.

Usage::

    from audit_lib.core import html
    html.table(findings, {"item_id": "Mục", "legal_basis": "Căn cứ"})  # an escaped <table>
    html.heading("Kết luận", 3)
    html.escape("<script>")            # '&lt;script&gt;'

Everything people typed (names, notes, addresses) goes through :func:`escape`,
so a note containing ``<script>`` shows as text.
"""

from __future__ import annotations

import base64
import contextlib
import html as _html
import math
import numbers
from collections.abc import Iterable, Mapping

import pandas as pd

from audit_lib.core.i18n import DEFAULT_LANG, nfc, tr

MESSAGES = {
    "national_1": {
        "vi": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "en": "SOCIALIST REPUBLIC OF VIET NAM",
    },
    "national_2": {"vi": "Độc lập - Tự do - Hạnh phúc", "en": "Independence - Freedom - Happiness"},
    "sign_hint": {"vi": "(Ký, ghi rõ họ tên)", "en": "(Signature and full name)"},
    "provenance": {"vi": "Nguồn gốc báo cáo", "en": "Provenance of this report"},
}


def escape(value: object) -> str:
    """Text safe inside HTML: NFC, ``<>&"'`` escaped; None and NaN become ''."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return _html.escape(nfc(str(value)), quote=True)


def day(value: object, lang: str = DEFAULT_LANG) -> str:
    """A date as people write it: ``14/04/2025`` in Vietnamese, ``2025-04-14`` in English."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return ""
    date = pd.Timestamp(value).date()
    return date.isoformat() if lang == "en" else date.strftime("%d/%m/%Y")


def paragraph(text: object, cls: str | None = None) -> str:
    klass = f' class="{escape(cls)}"' if cls else ""
    return f"<p{klass}>{escape(text)}</p>"


def heading(text: object, level: int = 2) -> str:
    return f"<h{level}>{escape(text)}</h{level}>"


def key_values(pairs: Iterable[tuple[object, object]]) -> str:
    """A two-column table of labels and values (both escaped)."""
    rows = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in pairs)
    return f'<table class="kv"><tbody>{rows}</tbody></table>'


def _cell(value: object, fmt: str | None) -> tuple[str, bool]:
    if fmt and value is not None and not (isinstance(value, float) and math.isnan(value)):
        with contextlib.suppress(TypeError, ValueError):
            return escape(format(value, fmt)), True
    text = escape(value)
    return text, bool(text) and isinstance(value, numbers.Number) and not isinstance(value, bool)


def table(
    frame,
    columns: Mapping[str, str],
    formats: Mapping[str, str] | None = None,
    empty: str = "",
    nowrap: Iterable[str] = (),
) -> str:
    """An escaped HTML table of ``frame``'s ``columns`` (name -> header label).

    ``formats`` maps a column to a format spec (``".1f"``); numbers align right.
    Columns in ``nowrap`` (dates) never break. With no rows, shows ``empty`` instead.
    """
    if len(frame) == 0:
        return paragraph(empty, "note")
    formats, keep = formats or {}, set(nowrap)
    head = "".join(f"<th>{escape(label)}</th>" for label in columns.values())
    body = []
    for record in frame[list(columns)].itertuples(index=False, name=None):
        cells = []
        for name, value in zip(columns, record, strict=True):
            text, numeric = _cell(value, formats.get(name))
            klass = "num" if numeric else "date" if name in keep else ""
            cells.append(f'<td class="{klass}">{text}</td>' if klass else f"<td>{text}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def image(png: bytes, alt: object) -> str:
    """A PNG embedded as a data URI, with its alternative text."""
    data = base64.b64encode(png).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{escape(alt)}"/>'


def national_heading(lang: str = DEFAULT_LANG) -> str:
    """The national motto that heads every official Vietnamese record."""
    return (
        f'<p class="national">{escape(tr(MESSAGES, "national_1", lang))}</p>'
        f'<p class="national motto">{escape(tr(MESSAGES, "national_2", lang))}</p>'
    )


def signatures(roles: Iterable[tuple[object, object]], lang: str = DEFAULT_LANG) -> str:
    """Signature boxes: one per (role, name) pair; an empty name leaves the line blank."""
    hint = escape(tr(MESSAGES, "sign_hint", lang))
    boxes = "".join(
        f'<div><p class="role">{escape(role)}</p><p class="hint">{hint}</p>'
        f'<div class="space"></div><p>{escape(name)}</p></div>'
        for role, name in roles
    )
    return f'<div class="signatures">{boxes}</div>'


def provenance(pairs: Iterable[tuple[object, object]], lang: str = DEFAULT_LANG) -> str:
    """The block that says what produced the report: parameters, fingerprints, version."""
    rows = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in pairs)
    return (
        f'<div class="provenance"><h3>{escape(tr(MESSAGES, "provenance", lang))}</h3>'
        f'<table class="kv"><tbody>{rows}</tbody></table></div>'
    )
