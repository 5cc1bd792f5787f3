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
"""

from __future__ import annotations

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

INSPECTION_VERDICTS = ("pass", "fail", "fail_critical", "incomplete")
"""The conclusion of a scored inspection."""

INSPECTION_VERDICT_LABELS = {
    "pass": {"vi": "ĐẠT", "en": "PASS"},
    "fail": {"vi": "KHÔNG ĐẠT", "en": "FAIL"},
    "fail_critical": {
        "vi": "KHÔNG ĐẠT (có vi phạm nghiêm trọng)",
        "en": "FAIL (critical non-compliance)",
    },
    "incomplete": {"vi": "CHƯA ĐỦ CĂN CỨ KẾT LUẬN", "en": "INCOMPLETE"},
}

INDICATOR_VERDICTS = ("achieved", "not_achieved", "too_few", "no_data")
"""How an indicator compares with its target, honestly."""

INDICATOR_VERDICT_LABELS = {
    "achieved": {"vi": "Đạt", "en": "Achieved"},
    "not_achieved": {"vi": "Không đạt", "en": "Not achieved"},
    "too_few": {"vi": "Quá ít số liệu để kết luận", "en": "Too few events to tell"},
    "no_data": {"vi": "Không có số liệu", "en": "No data"},
    "no_target": {"vi": "theo dõi", "en": "monitored"},
}

UNIT_LEVELS = ("province", "district", "commune")
"""The levels of administrative units, largest first."""

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
