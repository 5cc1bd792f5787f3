"""Files people open in a spreadsheet: every cell made safe, every file written whole or not at all.

Usage::

    from audit_lib.core import export
    export.safe_cell("=1+2")                  # "'=1+2": text, not a formula
    export.safe_cell(-2.5)                    # -2.5: numbers stay numbers
    export.csv_text(table)                    # csv for the screen, made safe
    export.write_csv(table, "indicators.csv")
    export.write_xlsx({"indicators": table, "plan": targets}, "indicators.xlsx")
    export.write_text(text, "indicators.json")  # any text, written whole or not at all

Two rules make a cell safe (:func:`safe_cell`; only text is touched, numbers,
negative ones too, stay numbers):

- **No formula.** Excel, LibreOffice and Google Sheets take a cell beginning
  with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return for a formula, so
  an establishment named ``=HYPERLINK("http://evil","x")`` would become a live
  link (OWASP, "CSV injection"). Such a text gets a leading ``'``, the mark
  spreadsheets read as "this is text"; in .xlsx it is also a cell of type
  string. A text beginning with ``'`` is left alone, so making a cell safe
  twice changes nothing.
- **No character a workbook cannot hold, nor a terminal escape.** XML forbids
  the control characters U+0000–U+001F other than tab, line feed and carriage
  return (openpyxl stops half-way through a sheet on the first one), and a
  workbook with U+FFFE or U+FFFF in it no longer opens. They are replaced
  visibly, not dropped: U+0000–U+001F become their pictures from Unicode's
  "Control Pictures" (BEL U+0007 becomes ␇ U+2407, ESC becomes ␛), DEL becomes
  ␡, and the C1 controls U+0080–U+009F, U+FFFE, U+FFFF and lone surrogates
  become � (U+FFFD); tab, line feed and carriage return stay. csv gets the
  same text, so a csv printed on a terminal carries no escape sequence either.

csv lines end in CR LF, as RFC 4180 has them: Python's csv writer then quotes
every field holding a line feed *or a carriage return*. With lines ending in
LF alone it leaves a lone carriage return unquoted, a spreadsheet starts a new
row there, and the rest of the text, now at the start of a cell, is a formula.

Every file goes to a temporary file in the target's folder and replaces the
target (``os.replace``) only once it is complete: a failure leaves no file, or
the older file as it was, and raises
:class:`~audit_lib.core.errors.ExportError` naming the file.

pandas and openpyxl are imported inside the functions that need them: the
command line imports this module to show its help.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
"""A text cell beginning with one of these is a formula to a spreadsheet."""

TEXT_MARK = "'"

_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _visible(match: re.Match) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # the Control Pictures block: ␀ … ␟
    return "\u2421" if code == 0x7F else "\ufffd"


def safe_cell(value: object) -> object:
    """``value`` as a spreadsheet may hold it: text made safe, anything else as it is."""
    if not isinstance(value, str):
        return value
    text = _UNWRITABLE.sub(_visible, value)
    return TEXT_MARK + text if text.startswith(DANGEROUS_START) else text


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell and column name passed through :func:`safe_cell`."""
    import pandas as pd
    from pandas.api.types import is_string_dtype

    out = frame.copy()
    for position, dtype in enumerate(out.dtypes):
        if is_string_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype):
            out.isetitem(position, out.iloc[:, position].map(safe_cell))
    out.columns = [safe_cell(name) for name in out.columns]
    return out


def csv_text(frame: pd.DataFrame) -> str:
    """``frame`` as csv (no index, CR LF line ends), every text cell made safe."""
    return safe_frame(frame).to_csv(index=False, lineterminator="\r\n")


def write_csv(frame: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write :func:`csv_text` of ``frame`` to ``path`` (UTF-8), whole or not at all."""
    return write_text(csv_text(frame), path)


def write_xlsx(sheets: Mapping[str, pd.DataFrame], path: str | os.PathLike) -> Path:
    """Write one sheet per frame (no index), every text cell made safe, whole or not at all."""
    import pandas as pd

    def write(tmp: Path) -> None:
        with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            for name, frame in sheets.items():
                safe_frame(frame).to_excel(writer, sheet_name=name, index=False)

    return write_atomically(path, write)


def write_text(text: str, path: str | os.PathLike) -> Path:
    """Write ``text`` to ``path`` (UTF-8, line ends as they are), whole or not at all."""
    return write_atomically(path, lambda tmp: tmp.write_text(text, encoding="utf-8", newline=""))


def write_atomically(path: str | os.PathLike, write: Callable[[Path], None]) -> Path:
    """Let ``write`` fill a new file beside ``path``, then put it in ``path``'s place.

    Until the last step ``path`` is untouched; if anything fails the new file is
    removed, and a failure to write (``OSError``, or ``ValueError`` for a value
    the format cannot hold) is raised as
    :class:`~audit_lib.core.errors.ExportError`. Returns ``path``.
    """
    target = Path(path)
    tmp = None
    try:
        tmp = _new_file_beside(target)
        write(tmp)
        _flush_to_disk(tmp)
        os.replace(tmp, target)
    except (OSError, ValueError) as exc:
        from audit_lib.core.errors import ExportError

        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ExportError(str(target), reason) from exc
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)  # gone already once it replaced the target
    return target


def _new_file_beside(target: Path) -> Path:
    """A new, empty, hidden file in ``target``'s folder that no other writer shares."""
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp{target.suffix}")
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))  # mode from the umask
    return tmp


def _flush_to_disk(path: Path) -> None:
    fd = os.open(path, os.O_RDWR)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
