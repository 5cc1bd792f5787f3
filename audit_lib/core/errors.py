"""Errors raised by the workbench.

Usage::

    from audit_lib.core.errors import AuditError
    try:
        checklist = load_checklist("checklists/mining.yaml")
    except AuditError as exc:
        print(exc)            # a message a non-programmer can read
        exc.failure_cases     # a DataFrame with one row per problem

Every error the workbench raises on purpose derives from :class:`AuditError`;
each subclass also derives from the builtin it resembles, so generic callers
can catch ``ValueError`` or ``LookupError`` too::

    AuditError(Exception)
    ├── InputError(AuditError, ValueError)        bad input, every problem listed
    │   ├── ChecklistError                        a checklist YAML file
    │   ├── PlanError                             a plan YAML file
    │   ├── RegisterImportError                   a register spreadsheet or CSV
    │   └── ResponsesError                        a responses file for ``audit score``
    ├── StoreError(AuditError, RuntimeError)      the database
    │   ├── SchemaOutdatedError                   database needs ``audit db upgrade``
    │   │   └── DatabaseMissingError              a SQLite file that does not exist
    │   ├── NotFoundError(StoreError, LookupError) an id that does not exist
    │   ├── FinalizedError                        a finalized inspection was to be changed
    │   └── ConflictError                         another writer saved first
    ├── ReportError(AuditError, RuntimeError)     one or more report notebooks failed
    ├── ClusterError(AuditError, ConnectionError) a Dask scheduler unreachable or mismatched
    └── ExportError(AuditError, OSError)          an export that could not be written

Bad input is reported lazily: the loader collects every :class:`Problem`
and raises one :class:`InputError` listing them all. Each problem names where
it is (file, row or item, field) and says what is wrong in plain words.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd


class Reason(enum.StrEnum):
    """Why an input was refused: a stable code next to each message."""

    SYNTAX = "syntax"
    MISSING = "missing"
    TYPE = "type"
    VALUE = "value"
    DUPLICATE = "duplicate"
    UNKNOWN = "unknown"
    REFERENCE = "reference"
    CONSISTENCY = "consistency"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, and where it is.

    ``Problem("checklists/mining.yaml", "item MIN.VEN.02", "weight",
    "must be greater than 0", Reason.VALUE)`` reads as
    ``checklists/mining.yaml: item MIN.VEN.02: weight: must be greater than 0``.
    """

    file: str
    location: str | None
    field: str | None
    message: str
    reason: Reason = Reason.VALUE
    value: object = None

    def __str__(self) -> str:
        parts = [self.file]
        if self.location:
            parts.append(self.location)
        if self.field:
            parts.append(self.field)
        parts.append(self.message)
        return ": ".join(str(p) for p in parts)


class AuditError(Exception):
    """Base of every error the workbench raises on purpose."""


class InputError(AuditError, ValueError):
    """Bad input: carries every problem found, not just the first."""

    what = "input"
    what_vi = "dữ liệu vào"

    def __init__(self, problems: Iterable[Problem]):
        self.problems: list[Problem] = list(problems)
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in {self.what} ({n} lỗi trong {self.what_vi}):"
        super().__init__("\n".join([head, *(f"  {p}" for p in self.problems)]))

    @property
    def failure_cases(self) -> pd.DataFrame:
        """The problems as a table, one row each, for a notebook to show."""
        return pd.DataFrame(
            [
                {
                    "file": p.file,
                    "location": p.location,
                    "field": p.field,
                    "reason": str(p.reason),
                    "value": p.value,
                    "message": p.message,
                }
                for p in self.problems
            ],
            columns=["file", "location", "field", "reason", "value", "message"],
        )


class ChecklistError(InputError):
    what = "checklist"
    what_vi = "bảng kiểm"


class PlanError(InputError):
    what = "plan"
    what_vi = "kế hoạch"


class RegisterImportError(InputError):
    what = "register import"
    what_vi = "tệp nhập sổ theo dõi"


class ResponsesError(InputError):
    what = "responses"
    what_vi = "tệp câu trả lời"


class StoreError(AuditError, RuntimeError):
    """Something about the database."""


class SchemaOutdatedError(StoreError):
    def __init__(self, url: str, current: str | None, head: str):
        self.url, self.current, self.head = url, current, head
        super().__init__(
            f"database {url} is at schema revision {current or 'none'}, "
            f"this version needs {head}: run `audit db upgrade --db {url}` "
            f"(Cơ sở dữ liệu cần nâng cấp: chạy `audit db upgrade`)"
        )


class DatabaseMissingError(SchemaOutdatedError):
    """The SQLite file of ``url`` does not exist; it was not created."""

    def __init__(self, url: str, head: str):
        self.url, self.current, self.head = url, None, head
        StoreError.__init__(
            self,
            f"database {url} does not exist: create it with `audit db upgrade --db {url}` "
            f"(Cơ sở dữ liệu chưa có: tạo bằng `audit db upgrade --db {url}`)",
        )


class NotFoundError(StoreError, LookupError):
    def __init__(self, what: str, key: object):
        self.what, self.key = what, key
        super().__init__(f"{what} {key!r} not found (không tìm thấy)")


class FinalizedError(StoreError):
    def __init__(self, inspection_id: str):
        self.inspection_id = inspection_id
        super().__init__(
            f"inspection {inspection_id} is finalized and cannot be changed; "
            "make a revision with a reason instead "
            "(biên bản đã hoàn tất, chỉ có thể lập bản sửa đổi kèm lý do)"
        )


class ConflictError(StoreError):
    """Another writer saved the same record first; ``pending`` is what was not saved."""

    def __init__(self, what: str, key: object, expected: int, found: int, pending=None):
        self.what, self.key = what, key
        self.expected, self.found, self.pending = expected, found, pending
        super().__init__(
            f"{what} {key} was changed by someone else (version {found}, you had {expected}); "
            "your changes were not saved: reload and apply them again "
            "(đã có người khác lưu trước, dữ liệu của bạn chưa được lưu)"
        )


class ReportError(AuditError, RuntimeError):
    """One or more report notebooks failed; ``failures`` maps report name to reason."""

    def __init__(self, failures: dict[str, str], index: str | None = None):
        self.failures, self.index = failures, index
        lines = [f"{len(failures)} report(s) failed (báo cáo lỗi):"]
        lines += [f"  {name}: {why}" for name, why in failures.items()]
        if index:
            lines.append(f"see {index}")
        super().__init__("\n".join(lines))


class ClusterError(AuditError, ConnectionError):
    """The Dask cluster of ``--scheduler`` cannot run reports: ``message`` says why and what
    to do, in both languages; no report was started."""

    def __init__(self, scheduler: str, message: str):
        self.scheduler = scheduler
        super().__init__(message)


class ExportError(AuditError, OSError):
    """An export could not be written to ``path`` (``reason`` says why); nothing was put there."""

    def __init__(self, path: str, reason: str):
        self.path, self.reason = path, reason
        super().__init__(
            f"could not write {path} ({reason}); nothing was written there, an older file "
            f"stays as it was (không ghi được {path} ({reason}); chưa ghi gì vào đó, tệp cũ "
            "nếu có vẫn giữ nguyên)"
        )


def raise_if_problems(error: type[InputError], problems: Sequence[Problem]) -> None:
    """Raise ``error(problems)`` when any problem was collected."""
    if problems:
        raise error(problems)
