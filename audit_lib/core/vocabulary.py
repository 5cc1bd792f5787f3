"""The workbench's one vocabulary: every code list and its people's names.

Usage::

    from audit_lib.core.vocabulary import SECTORS, SECTOR_LABELS
    from audit_lib.core.i18n import label
    label(SECTOR_LABELS, "wood", "vi")          # 'Chế biến gỗ'
    "mining" in SECTORS                          # True

Each list is a tuple of codes (what the store, the checklists and the registers
hold) and each ``*_LABELS`` a ``{code: {"vi": …, "en": …}}`` catalogue for
:func:`audit_lib.core.i18n.label`. Every other module imports codes and labels
from here; nothing else defines them.

One list is the law's, kept as data: the sector groups with a high risk of
occupational accidents and diseases (Circular 07/2016/TT-BLĐTBXH, Art. 8),
``data/high_risk.yaml``, read once by :func:`high_risk_rules`::

    from audit_lib.core.vocabulary import high_risk_of
    high_risk_of("mining", None)                  # (1,): group 1, mining
    high_risk_of("manufacturing", "C2392")        # (4,): bricks, non-metallic minerals
    high_risk_of("manufacturing", None)           # (): the VSIC code tells
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import yaml

from audit_lib.core.resources import shipped

SECTORS = (
    "mining",
    "hydropower",
    "construction",
    "agriculture",
    "wood",
    "manufacturing",
    "trade",
    "transport",
    "other",
)
"""The establishment's sector."""

SECTOR_LABELS = {
    "mining": {"vi": "Khai khoáng", "en": "Mining"},
    "hydropower": {"vi": "Xây dựng thủy điện", "en": "Hydropower construction"},
    "construction": {"vi": "Xây dựng", "en": "Construction"},
    "agriculture": {"vi": "Nông, lâm nghiệp, HTX", "en": "Agriculture, forestry"},
    "wood": {"vi": "Chế biến gỗ", "en": "Wood processing"},
    "manufacturing": {"vi": "Sản xuất, chế biến", "en": "Manufacturing"},
    "trade": {"vi": "Thương mại", "en": "Trade"},
    "transport": {"vi": "Vận tải", "en": "Transport"},
    "other": {"vi": "Khác", "en": "Other"},
}

KINDS = ("enterprise", "cooperative", "household", "other")
"""The establishment's legal kind."""

KIND_LABELS = {
    "enterprise": {"vi": "Doanh nghiệp", "en": "Enterprise"},
    "cooperative": {"vi": "Hợp tác xã", "en": "Cooperative"},
    "household": {"vi": "Hộ kinh doanh", "en": "Household business"},
    "other": {"vi": "Khác", "en": "Other"},
}

VISIT_TYPES = ("periodic", "unannounced", "follow_up", "accident")
"""Why an inspection visit was made."""

VISIT_TYPE_LABELS = {
    "periodic": {"vi": "Định kỳ", "en": "Periodic"},
    "unannounced": {"vi": "Đột xuất", "en": "Unannounced"},
    "follow_up": {"vi": "Kiểm tra lại", "en": "Follow-up"},
    "accident": {"vi": "Sau tai nạn lao động", "en": "After an accident"},
}

SEVERITIES = ("critical", "major", "minor")
"""How serious a checklist item's non-compliance is."""

SEVERITY_LABELS = {
    "critical": {"vi": "Nghiêm trọng", "en": "Critical"},
    "major": {"vi": "Lớn", "en": "Major"},
    "minor": {"vi": "Nhỏ", "en": "Minor"},
}

ANSWER_CODES = ("compliant", "noncompliant", "na")
"""Canonical answers to a compliance item; a missing or empty answer means unanswered."""

ANSWER_LABELS = {
    "compliant": {"vi": "Đạt", "en": "Compliant"},
    "noncompliant": {"vi": "Không đạt", "en": "Non-compliant"},
    "na": {"vi": "Không áp dụng", "en": "Not applicable"},
}

ANSWER_TYPES = ("compliance", "count", "number")
"""What kind of answer a checklist item takes."""

ANSWER_TYPE_LABELS = {
    "compliance": {
        "vi": "Đạt / Không đạt / Không áp dụng",
        "en": "Compliant / Non-compliant / N/A",
    },
    "count": {"vi": "Số lượng", "en": "Count"},
    "number": {"vi": "Số đo", "en": "Number"},
}

INSPECTION_VERDICTS = ("pass", "fail", "fail_critical", "incomplete", "advice_only")
"""The conclusion of a scored inspection."""

INSPECTION_VERDICT_LABELS = {
    "pass": {"vi": "ĐẠT", "en": "PASS"},
    "fail": {"vi": "KHÔNG ĐẠT", "en": "FAIL"},
    "fail_critical": {
        "vi": "KHÔNG ĐẠT (có vi phạm nghiêm trọng)",
        "en": "FAIL (critical non-compliance)",
    },
    "incomplete": {"vi": "CHƯA ĐỦ CĂN CỨ KẾT LUẬN", "en": "INCOMPLETE"},
    "advice_only": {
        "vi": "KHÔNG CÓ YÊU CẦU PHÁP LÝ ÁP DỤNG (chỉ khuyến nghị)",
        "en": "NO LEGAL REQUIREMENT APPLIES (advice only)",
    },
}

INDICATOR_VERDICTS = ("achieved", "not_achieved", "too_few", "pending", "no_data")
"""How an indicator compares with its target, honestly."""

INDICATOR_VERDICT_LABELS = {
    "achieved": {"vi": "Đạt", "en": "Achieved"},
    "not_achieved": {"vi": "Không đạt", "en": "Not achieved"},
    "too_few": {"vi": "Quá ít số liệu để kết luận", "en": "Too few events to tell"},
    "pending": {
        "vi": "Đang trong thời hạn điều tra",
        "en": "Pending (within the investigation deadline)",
    },
    "no_data": {"vi": "Không có số liệu", "en": "No data"},
    "no_target": {"vi": "theo dõi", "en": "monitored"},
}

UNIT_LEVELS = ("province", "district", "commune")
"""The levels of administrative units, largest first."""

REFORM_DAY = "2025-07-01"
"""The day Viet Nam's two-level local government began (Resolution 1670/NQ-UBTVQH15 for
Lai Châu): districts ended, and communes and wards became the units below the province."""

COMMUNE_LEVEL_LABELS = {
    "before": {"vi": "xã, thị trấn", "en": "commune or township"},
    "after": {"vi": "xã, phường", "en": "commune or ward"},
}
"""What the commune level is called, before and from :data:`REFORM_DAY`."""


def commune_level_label(day, lang: str) -> str:
    """ "xã, thị trấn" before 1 July 2025, "xã, phường" from it (``day``: a date or ISO text)."""
    after = str(day)[:10] >= REFORM_DAY
    return COMMUNE_LEVEL_LABELS["after" if after else "before"][lang]


REGISTER_KINDS = (
    "workforce",
    "accidents",
    "compensation",
    "training",
    "od_exams",
    "env_monitoring",
    "outreach",
    "establishments",
    "units",
    "crosswalk",
)
"""The registers imported from spreadsheets (``audit import KIND``), in the templates' order."""


# ---- high risk: Circular 07/2016/TT-BLĐTBXH, Art. 8 ------------------------------------

HIGH_RISK_FILE = ("data", "high_risk.yaml")
"""Where the sector groups of Art. 8 are shipped (:func:`~audit_lib.core.resources.shipped`)."""

_VSIC = re.compile(r"\s*[A-Ua-u]?\s*([0-9][0-9.\s]*)")


@dataclass(frozen=True)
class HighRiskGroup:
    """One sector group of Art. 8: its number, name, and what falls in it.

    ``sectors`` are the project's sectors that lie wholly in the group;
    ``vsic`` the VSIC 2018 code prefixes (digits only) that do.
    """

    group: int
    name: dict[str, str]
    sectors: tuple[str, ...]
    vsic: tuple[str, ...]
    note: dict[str, str] | None = None


@dataclass(frozen=True)
class HighRiskRules:
    """The groups and the legal source they come from (``citation``, ``title``, ``note``)."""

    citation: str
    title: dict[str, str]
    issued_on: str
    note: dict[str, str]
    groups: tuple[HighRiskGroup, ...]


def vsic_digits(vsic: object) -> str | None:
    """The digits of a VSIC code as people write it (``"C2392"``, ``"23.92"``), or None."""
    found = _VSIC.fullmatch(vsic) if isinstance(vsic, str) else None
    return re.sub(r"[.\s]", "", found.group(1)) if found else None


def _group(entry: dict) -> HighRiskGroup:
    sectors = tuple(entry.get("sectors") or ())
    vsic = tuple(str(v) for v in entry.get("vsic") or ())
    unknown = [s for s in sectors if s not in SECTORS]
    malformed = [v for v in vsic if not v.isdigit() or not 2 <= len(v) <= 5]
    if unknown or malformed:
        raise ValueError(
            f"{'/'.join(HIGH_RISK_FILE)}: group {entry.get('group')}: "
            f"unknown sectors {unknown}, malformed VSIC prefixes {malformed}"
        )
    return HighRiskGroup(int(entry["group"]), dict(entry["name"]), sectors, vsic, entry.get("note"))


@functools.cache
def high_risk_rules() -> HighRiskRules:
    """The shipped groups of Art. 8 (read once)."""
    data = yaml.safe_load(shipped(*HIGH_RISK_FILE).read_text(encoding="utf-8"))
    source = data["source"]
    return HighRiskRules(
        citation=source["citation"],
        title=dict(source["title"]),
        issued_on=str(source["issued_on"]),
        note=dict(source["note"]),
        groups=tuple(_group(entry) for entry in data["groups"]),
    )


def high_risk_of(sector: object, vsic: object) -> tuple[int, ...]:
    """The numbers of the Art. 8 groups an establishment of ``sector`` and ``vsic`` is in.

    Empty when it is in none: not high-risk. A sector only partly in a group
    (manufacturing: bricks and chemicals are, food and furniture are not) is
    told by its VSIC code.
    """
    digits = vsic_digits(vsic) or ""
    return tuple(
        g.group
        for g in high_risk_rules().groups
        if sector in g.sectors or any(digits.startswith(prefix) for prefix in g.vsic)
    )
