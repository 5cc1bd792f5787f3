"""The indicator catalogue: every indicator the workbench can compute, as data.

Usage::

    from audit_lib.indicators._catalogue import CATALOGUE
    CATALOGUE["T1"].label["vi"]       # what the indicator is called
    CATALOGUE["T1"].kind              # rate, share, count, mean or ratio

Plan files name these ids; :func:`audit_lib.indicators.compute` computes them
and :mod:`audit_lib.indicators._plan` checks a plan against them, so both
import this module and neither imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from audit_lib.core.i18n import DEFAULT_LANG, pick
from audit_lib.indicators import _sources as src


@dataclass(frozen=True)
class Indicator:
    """A catalogue entry: what is counted, over what, and how it is shown."""

    id: str
    kind: str  # rate | share | count | mean | ratio
    factor: float
    dated: bool  # has dates finer than a year (half-year and quarter values)
    label: dict
    numerator: dict
    denominator: dict | None
    facts: object = field(repr=False)  # (frames, Ask) -> facts frame
    feeds_of: str = ""  # the indicator whose feeding items it reads (default: its own id)

    def text(self, lang: str = DEFAULT_LANG) -> str:
        return pick(self.label, lang)


# fmt: off
_STRICT = "strict_worker"
_TRAINED = [  # register category, id stem, label vi, label en
    ("unit_manager", "unit_managers",
     "Cán bộ quản lý ATVSLĐ cấp huyện, xã (từ 01/07/2025: cấp xã) được tập huấn",
     "District/commune OSH managers (from 1 July 2025: commune level) trained"),
    (_STRICT, "strict_workers", "NLĐ làm công việc yêu cầu nghiêm ngặt được huấn luyện",
     "Strict-requirement workers trained"),
    ("osh_staff", "osh_staff", "Người làm công tác ATVSLĐ được huấn luyện", "OSH staff trained"),
    ("health_worker", "health_workers",
     "Người làm công tác y tế tại cơ sở được huấn luyện (nhóm 5)",
     "Establishments' health staff trained (group 5)"),
]
_VARIANTS = [  # id suffix, source used, label tag vi, en
    ("", "both", "", ""),
    ("_register", "register", " (sổ huấn luyện)", " (training register)"),
    ("_inspected", "inspections", " (qua kiểm tra)", " (inspections)"),
]
_ROWS = [
    # id, kind, factor, dated, facts, label (vi, en), numerator (vi, en), denominator (vi, en)
    ("fatal_frequency", "rate", 1000, True, src.fatal_frequency(labour_relations=False),
     ("Tần suất TNLĐ chết người", "Fatal accident frequency"),
     ("số người chết vì TNLĐ", "deaths in occupational accidents"),
     ("số người lao động (sổ lao động)", "workers (workforce register)")),
    ("fatal_frequency_lr", "rate", 1000, True, src.fatal_frequency(labour_relations=True),
     ("Tần suất TNLĐ chết người, khu vực có QHLĐ", "Fatal frequency, labour-relations area"),
     ("số người chết, khu vực có QHLĐ", "deaths, labour-relations area"),
     ("NLĐ khu vực có QHLĐ", "workers with a labour contract")),
    ("od_examined", "count", 1, False, src.od_examined,
     ("Số NLĐ được khám BNN", "Workers given an OD examination"),
     ("NLĐ được khám BNN (sổ khám BNN; biên bản kiểm tra)",
      "workers examined (OD exam register; inspection answers)"), None),
    ("env_monitored", "count", 1, True, src.env_monitored,
     ("Số cơ sở được quan trắc MTLĐ", "Establishments with environment monitoring"),
     ("cơ sở có quan trắc trong kỳ (sổ quan trắc; biên bản kiểm tra)",
      "establishments monitored (register; inspection answers)"), None),
    *[(f"trained_{stem}{suffix}", "share", 100, False, src.trained(cat, use),
       (vi + tag_vi, en + tag_en), ("số người được huấn luyện", "people trained"),
       ("số người thuộc đối tượng", "people in the group"), f"trained_{stem}")
      for cat, stem, vi, en in _TRAINED for suffix, use, tag_vi, tag_en in _VARIANTS
      if cat == _STRICT or not suffix],
    ("high_risk_reached", "share", 100, True, src.high_risk_reached,
     ("DN, HTX nguy cơ cao được tiếp cận thông tin ATVSLĐ",
      "High-risk enterprises and cooperatives reached"),
     ("DN, HTX nguy cơ cao được tiếp cận (sổ tuyên truyền)", "reached (outreach register)"),
     ("DN, HTX nguy cơ cao đang hoạt động", "active high-risk enterprises and cooperatives")),
    ("victims_compensated", "share", 100, True, src.victims_compensated(labour_relations=False),
     ("Người bị TNLĐ được bồi thường, trợ cấp", "Accident victims compensated"),
     ("nạn nhân được bồi thường (sổ bồi thường)", "victims compensated"),
     ("nạn nhân TNLĐ (mọi khu vực)", "accident victims (all areas)")),
    ("victims_compensated_lr", "share", 100, True, src.victims_compensated(labour_relations=True),
     ("Người bị TNLĐ được bồi thường, trợ cấp, khu vực có QHLĐ",
      "Accident victims compensated, labour-relations area"),
     ("nạn nhân khu vực có QHLĐ được bồi thường", "victims compensated, labour-relations area"),
     ("nạn nhân TNLĐ khu vực có QHLĐ", "accident victims, labour-relations area")),
    ("fatal_accidents_handled", "share", 100, True, src.fatal_accidents_handled,
     ("Vụ TNLĐ chết người được khai báo, điều tra, xử lý",
      "Fatal accidents declared, investigated and handled"),
     ("vụ đã khai báo, điều tra xong và xử lý", "declared, investigated and handled"),
     ("số vụ TNLĐ chết người", "fatal accidents")),
    ("inspection_coverage", "share", 100, True, src.inspection_coverage(high_risk=False),
     ("Tỷ lệ cơ sở được kiểm tra", "Inspection coverage"),
     ("cơ sở được kiểm tra trong kỳ", "establishments inspected"),
     ("cơ sở đang hoạt động", "active establishments")),
    ("inspection_coverage_high_risk", "share", 100, True, src.inspection_coverage(high_risk=True),
     ("Tỷ lệ cơ sở nguy cơ cao được kiểm tra", "Inspection coverage, high-risk"),
     ("cơ sở nguy cơ cao được kiểm tra", "high-risk establishments inspected"),
     ("cơ sở nguy cơ cao đang hoạt động", "active high-risk establishments")),
    ("compliance_pooled", "ratio", 100, True, src.compliance_pooled,
     ("Mức tuân thủ gộp (theo trọng số)", "Compliance, pooled (by weight)"),
     ("tổng trọng số đạt", "weight earned, all inspections"),
     ("tổng trọng số áp dụng", "weight applicable, all inspections")),
    ("compliance_mean", "mean", 1, True, src.compliance_mean,
     ("Mức tuân thủ trung bình mỗi cuộc kiểm tra", "Compliance, mean per inspection"),
     ("tổng điểm các cuộc kiểm tra", "sum of inspection scores"),
     ("số cuộc kiểm tra có điểm", "inspections scored")),
    ("inspections_passed", "share", 100, True, src.inspections_passed,
     ("Tỷ lệ cuộc kiểm tra đạt", "Inspections passed"),
     ("cuộc kiểm tra đạt", "inspections passed"),
     ("cuộc kiểm tra có điểm", "inspections scored")),
    ("critical_findings", "count", 1, True, src.critical_findings,
     ("Số vi phạm nghiêm trọng", "Critical findings"),
     ("vi phạm nghiêm trọng phát hiện", "critical findings"), None),
    ("actions_closed_on_time", "share", 100, True, src.actions_closed_on_time,
     ("Biện pháp khắc phục hoàn thành đúng hạn", "Corrective actions closed on time"),
     ("biện pháp đóng đúng hạn", "closed by the due date"),
     ("biện pháp đến hạn trong kỳ", "actions due in the period")),
]
# fmt: on


def _texts(pair) -> dict | None:
    return None if pair is None else {"vi": pair[0], "en": pair[1]}


CATALOGUE: dict[str, Indicator] = {
    row[0]: Indicator(
        *row[:4], _texts(row[5]), _texts(row[6]), _texts(row[7]), row[4], (row[8:] or row[:1])[0]
    )
    for row in _ROWS
}
