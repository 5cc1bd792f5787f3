"""Register kinds as data: columns, natural keys, row rules and references, per kind.

Usage::

    from audit_lib.register_kinds import REGISTERS
    accidents = REGISTERS["accidents"]
    accidents.key                                # ('accident_id',)
    accidents.column("deaths").header            # 'Số người chết / Deaths'
    [r.field for r in accidents.rules]           # ['deaths', 'serious_injuries', ...]

Each :class:`Register` lists its columns (:class:`~audit_lib.spreadsheet.Column`:
canonical name, Vietnamese and English header, type, required, bounds, allowed
values, a note for the template), the natural key an import matches rows on,
row rules checked vectorized over the whole file, and references checked
against the store (``unit``, ``establishment``, ``accident``). The column
names are the table columns of docs/contracts.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from audit_lib.conditions import KINDS as ESTABLISHMENT_KINDS
from audit_lib.conditions import SECTORS
from audit_lib.schema import REGISTER_KEYS
from audit_lib.spreadsheet import Column


@dataclass(frozen=True)
class Rule:
    """A row rule: ``check(frame)`` is true where a row is fine; ``field`` is blamed otherwise."""

    field: str
    check: Callable[[pd.DataFrame], pd.Series]
    message: tuple[str, str]


@dataclass(frozen=True)
class Register:
    """One register kind: its table, columns, natural key, row rules and references.

    ``refs`` maps a column to what it must exist in (``unit``, ``establishment``,
    ``accident``); ``unit_when`` names the date or year at which the unit must be valid.
    """

    kind: str
    title: tuple[str, str]
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    rules: tuple[Rule, ...] = ()
    refs: Mapping[str, str] = field(default_factory=dict)
    unit_when: str | None = None

    @property
    def table(self) -> str:
        return self.kind

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _date(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series, errors="coerce")


def _at_most(small: str, big: str) -> Callable[[pd.DataFrame], pd.Series]:
    return lambda f: ~(f[small] > f[big]).fillna(False)


def _not_before(later: str, earlier: str) -> Callable[[pd.DataFrame], pd.Series]:
    return lambda f: ~(_date(f[later]) < _date(f[earlier]))


def _in_year(date: str) -> Callable[[pd.DataFrame], pd.Series]:
    return lambda f: ~(_date(f[date]).dt.year != f["year"]).fillna(False) | f[date].isna()


def _int(name, vi, en, note=("", ""), required=True, minimum=0, maximum=None, default=None):
    return Column(
        name, vi, en, "int", required, minimum=minimum, maximum=maximum, note=note, default=default
    )


def _labels(codes, vi: str, en: str) -> tuple[tuple[str, str, str], ...]:
    return tuple(zip(codes, vi.split("|"), en.split("|"), strict=True))


UNIT = Column(
    "unit_code",
    "Mã đơn vị hành chính",
    "Unit code",
    note=(
        "Mã đơn vị theo danh mục (data/units/units.csv), ví dụ PT-NX (xã Nậm Xe, trước 7/2025) "
        "hoặc LC-KL (xã Khổng Lào, từ 7/2025), hoặc tên xã; phải còn hiệu lực vào ngày hoặc năm "
        "của dòng",
        "Unit code from the unit list (data/units/units.csv), e.g. PT-NX (Nậm Xe commune, "
        "before 7/2025) or LC-KL (Khổng Lào commune, from 7/2025), or the commune's name; "
        "valid at the row's date or year",
    ),
    aliases=("Mã đơn vị", "Mã xã", "Đơn vị", "Unit"),
)
YEAR = _int("year", "Năm", "Year", ("Năm báo cáo", "Reporting year"), minimum=2000, maximum=2100)
ESTABLISHMENT = Column(
    "establishment_code",
    "Mã số cơ sở",
    "Establishment code",
    required=False,
    note=(
        "Mã số thuế hoặc mã đăng ký trong sổ cơ sở; để trống nếu là số liệu chung của đơn vị",
        "Tax or registration code in the establishment register; empty for unit-wide figures",
    ),
    aliases=("Mã cơ sở", "Mã số thuế", "Establishment"),
)
TRAINING_CATEGORIES = _labels(
    (
        "unit_manager",
        "strict_worker",
        "osh_staff",
        "health_worker",
        "manager",
        "other_worker",
        "volunteer",
    ),
    "Cán bộ quản lý, chỉ đạo ATVSLĐ cấp huyện, xã|NLĐ làm công việc có yêu cầu nghiêm ngặt"
    "|Người làm công tác ATVSLĐ|Người làm công tác y tế cơ sở|Người quản lý phụ trách ATVSLĐ"
    "|Người lao động khác|An toàn, vệ sinh viên",
    "District/commune OSH manager|Worker in a strict-requirement job|OSH staff"
    "|Grassroots health worker|Manager in charge of OSH|Other worker|Safety-health volunteer",
)
CHANNELS = _labels(
    ("visit", "meeting", "document", "broadcast", "online", "training", "other"),
    "Đến tận cơ sở|Hội nghị|Tài liệu, tờ rơi|Loa, đài truyền thanh|Mạng xã hội, trực tuyến"
    "|Tập huấn|Khác",
    "Visit|Meeting|Leaflet or document|Loudspeaker or radio|Online|Training session|Other",
)


SOURCE = Column(
    "source",
    "Nguồn",
    "Source",
    required=False,
    note=("Văn bản làm nguồn của dòng này", "Document this row comes from"),
)


def _bool(name, vi, en, note=("", ""), required=True) -> Column:
    return Column(name, vi, en, "bool", required, note=note, default=None if required else False)


def _day(name, vi, en, note=("", ""), required=True) -> Column:
    return Column(name, vi, en, "date", required, note=note)


REGISTERS: dict[str, Register] = {
    r.kind: r
    for r in [
        Register(
            "workforce",
            ("Lao động theo đơn vị và năm", "Workforce by unit and year"),
            (
                UNIT,
                YEAR,
                _int(
                    "workers", "Số lao động", "Workers", ("Tổng số người lao động", "All workers")
                ),
                _int(
                    "workers_labour_relations",
                    "Số lao động có quan hệ lao động",
                    "Workers with a labour contract",
                    ("Trong khu vực có quan hệ lao động", "In the labour-relations area"),
                    required=False,
                ),
            ),
            key=REGISTER_KEYS["workforce"],
            rules=(
                Rule(
                    "workers_labour_relations",
                    _at_most("workers_labour_relations", "workers"),
                    ("lớn hơn tổng số lao động", "greater than all workers"),
                ),
            ),
            refs={"unit_code": "unit"},
            unit_when="year",
        ),
        Register(
            "accidents",
            ("Tai nạn lao động", "Occupational accidents"),
            (
                Column(
                    "accident_id",
                    "Mã vụ tai nạn",
                    "Accident id",
                    note=("Mã riêng của vụ, ví dụ TNLD-2024-003", "Own id, e.g. TNLD-2024-003"),
                ),
                _day("occurred_on", "Ngày xảy ra", "Date of accident"),
                ESTABLISHMENT,
                UNIT,
                _bool(
                    "labour_relations",
                    "Có quan hệ lao động",
                    "Labour-relations area",
                    ("Có: nạn nhân có hợp đồng lao động", "Yes: victims had a labour contract"),
                ),
                _int("victims", "Số người bị nạn", "Victims", minimum=1),
                _int(
                    "deaths",
                    "Số người chết",
                    "Deaths",
                    ("Kể cả người chết sau đó do vụ tai nạn", "Including later deaths from it"),
                ),
                _int(
                    "serious_injuries",
                    "Số người bị thương nặng",
                    "Seriously injured",
                    ("Không tính người đã chết", "Not counting those who died"),
                ),
                _day(
                    "declared_on",
                    "Ngày khai báo",
                    "Date declared",
                    (
                        "Ngày khai báo với cơ quan có thẩm quyền (Luật ATVSLĐ, Điều 34)",
                        "Date declared to the authority (OSH Law, Art. 34)",
                    ),
                    required=False,
                ),
                _day(
                    "investigation_completed_on",
                    "Ngày hoàn thành điều tra",
                    "Investigation completed on",
                    ("Ngày công bố biên bản điều tra", "Date the inquiry record was issued"),
                    required=False,
                ),
                _bool(
                    "handled",
                    "Đã xử lý",
                    "Handled",
                    ("Đã xử lý xong theo kết luận điều tra", "Dealt with as the inquiry concluded"),
                    required=False,
                ),
            ),
            key=REGISTER_KEYS["accidents"],
            rules=(
                Rule(
                    "deaths",
                    _at_most("deaths", "victims"),
                    ("lớn hơn số người bị nạn", "greater than the number of victims"),
                ),
                Rule(
                    "serious_injuries",
                    lambda f: (
                        ~(f.serious_injuries > f.victims - f.deaths).fillna(False)
                        | (f.deaths > f.victims).fillna(False)
                    ),
                    (
                        "số chết cộng bị thương nặng lớn hơn số người bị nạn",
                        "deaths plus seriously injured exceed the number of victims",
                    ),
                ),
                Rule(
                    "declared_on",
                    _not_before("declared_on", "occurred_on"),
                    ("trước ngày xảy ra tai nạn", "before the accident happened"),
                ),
                Rule(
                    "investigation_completed_on",
                    _not_before("investigation_completed_on", "occurred_on"),
                    ("trước ngày xảy ra tai nạn", "before the accident happened"),
                ),
            ),
            refs={"unit_code": "unit", "establishment_code": "establishment"},
            unit_when="occurred_on",
        ),
        Register(
            "compensation",
            ("Bồi thường, trợ cấp TNLĐ", "Accident compensation"),
            (
                Column(
                    "accident_id",
                    "Mã vụ tai nạn",
                    "Accident id",
                    note=("Mã vụ trong sổ tai nạn", "Id in the accident register"),
                ),
                _int(
                    "victim_no",
                    "Số thứ tự nạn nhân",
                    "Victim number",
                    ("1, 2, … trong vụ", "1, 2, … within the accident"),
                    minimum=1,
                ),
                _bool("compensated", "Đã được bồi thường, trợ cấp", "Compensated"),
                Column("amount_vnd", "Số tiền (đồng)", "Amount (VND)", "int", False, minimum=0),
                _day("paid_on", "Ngày chi trả", "Paid on", required=False),
            ),
            key=REGISTER_KEYS["compensation"],
            refs={"accident_id": "accident"},
        ),
        Register(
            "training",
            ("Huấn luyện ATVSLĐ", "OSH training"),
            (
                YEAR,
                UNIT,
                ESTABLISHMENT,
                _int(
                    "group",
                    "Nhóm huấn luyện",
                    "Training group",
                    ("Nhóm 1–6 theo Nghị định 44/2016", "Group 1–6 of Decree 44/2016"),
                    minimum=1,
                    maximum=6,
                ),
                Column(
                    "category", "Đối tượng", "Person category", "enum", choices=TRAINING_CATEGORIES
                ),
                _int(
                    "headcount",
                    "Số người phải huấn luyện",
                    "Headcount",
                    ("Số người thuộc đối tượng", "People in the category"),
                ),
                _int("trained", "Số người đã huấn luyện", "Trained"),
            ),
            key=REGISTER_KEYS["training"],
            rules=(
                Rule(
                    "trained",
                    _at_most("trained", "headcount"),
                    ("lớn hơn số người phải huấn luyện", "greater than the headcount"),
                ),
            ),
            refs={"unit_code": "unit", "establishment_code": "establishment"},
            unit_when="year",
        ),
        Register(
            "od_exams",
            ("Khám bệnh nghề nghiệp", "Occupational-disease examinations"),
            (
                YEAR,
                UNIT,
                ESTABLISHMENT,
                _int(
                    "workers_examined",
                    "Số người được khám BNN",
                    "Workers examined",
                    ("Khám phát hiện bệnh nghề nghiệp", "Occupational-disease examinations"),
                ),
                _int("od_cases", "Số ca mắc BNN", "Occupational-disease cases"),
            ),
            key=REGISTER_KEYS["od_exams"],
            rules=(
                Rule(
                    "od_cases",
                    _at_most("od_cases", "workers_examined"),
                    ("lớn hơn số người được khám", "greater than workers examined"),
                ),
            ),
            refs={"unit_code": "unit", "establishment_code": "establishment"},
            unit_when="year",
        ),
        Register(
            "env_monitoring",
            ("Quan trắc môi trường lao động", "Working-environment monitoring"),
            (
                YEAR,
                UNIT,
                ESTABLISHMENT,
                _day("monitored_on", "Ngày quan trắc", "Monitored on", required=False),
                _int("samples", "Số mẫu", "Samples"),
                _int(
                    "samples_failing",
                    "Số mẫu không đạt",
                    "Samples failing",
                    ("Mẫu vượt giới hạn của QCVN", "Samples above the QCVN limit"),
                ),
            ),
            key=REGISTER_KEYS["env_monitoring"],
            rules=(
                Rule(
                    "samples_failing",
                    _at_most("samples_failing", "samples"),
                    ("lớn hơn số mẫu", "greater than the number of samples"),
                ),
                Rule(
                    "monitored_on",
                    _in_year("monitored_on"),
                    ("không thuộc năm đã ghi", "not in the year given"),
                ),
            ),
            refs={"unit_code": "unit", "establishment_code": "establishment"},
            unit_when="year",
        ),
        Register(
            "outreach",
            ("Thông tin, tuyên truyền đến cơ sở", "Information outreach"),
            (
                YEAR,
                UNIT,
                ESTABLISHMENT,
                Column("channel", "Hình thức", "Channel", "enum", choices=CHANNELS),
                _day("reached_on", "Ngày thực hiện", "Reached on", required=False),
            ),
            key=REGISTER_KEYS["outreach"],
            rules=(
                Rule(
                    "reached_on",
                    _in_year("reached_on"),
                    ("không thuộc năm đã ghi", "not in the year given"),
                ),
            ),
            refs={"unit_code": "unit", "establishment_code": "establishment"},
            unit_when="year",
        ),
        Register(
            "establishments",
            ("Sổ cơ sở", "Establishment register"),
            (
                Column(
                    "code",
                    "Mã số thuế hoặc đăng ký",
                    "Tax or registration code",
                    aliases=("Mã số thuế", "Mã số", "Mã cơ sở", "Mã đăng ký", "Establishment code"),
                ),
                Column("name", "Tên cơ sở", "Name"),
                Column(
                    "kind",
                    "Loại hình",
                    "Kind",
                    "enum",
                    choices=_labels(
                        ESTABLISHMENT_KINDS,
                        "Doanh nghiệp|Hợp tác xã|Hộ kinh doanh|Khác",
                        "Enterprise|Cooperative|Household business|Other",
                    ),
                ),
                Column(
                    "sector",
                    "Ngành",
                    "Sector",
                    "enum",
                    choices=_labels(
                        SECTORS,
                        "Khai khoáng|Xây dựng thủy điện|Xây dựng|Nông, lâm nghiệp|Chế biến gỗ"
                        "|Sản xuất khác|Thương mại|Vận tải|Khác",
                        "Mining|Hydropower construction|Construction|Agriculture and forestry"
                        "|Wood processing|Other manufacturing|Trade|Transport|Other",
                    ),
                ),
                Column("vsic", "Mã ngành VSIC", "VSIC code", required=False),
                UNIT,
                _int("workforce", "Số lao động", "Workforce"),
                _int(
                    "strict_workers",
                    "Số NLĐ làm việc nghiêm ngặt",
                    "Strict-job workers",
                    ("Theo Thông tư 06/2020; trống là 0", "Per Circular 06/2020; empty means 0"),
                    required=False,
                    default=0,
                ),
                _bool(
                    "has_strict_equipment",
                    "Có thiết bị nghiêm ngặt",
                    "Strict-list equipment",
                    ("Máy, thiết bị có yêu cầu nghiêm ngặt", "Equipment on the strict list"),
                    required=False,
                ),
                _bool("high_risk", "Nguy cơ cao", "High risk", required=False),
                _bool(
                    "labour_relations",
                    "Có quan hệ lao động",
                    "Labour-relations area",
                    (
                        "Có nếu người lao động có hợp đồng lao động (doanh nghiệp, HTX)",
                        "Yes when workers have labour contracts (enterprises, cooperatives)",
                    ),
                ),
                _bool(
                    "employs_minors",
                    "Có lao động chưa thành niên",
                    "Employs minors",
                    required=False,
                ),
                _day("active_from", "Hoạt động từ", "Active from", required=False),
                _day("active_to", "Hoạt động đến", "Active to", required=False),
            ),
            key=("code",),
            rules=(
                Rule(
                    "strict_workers",
                    _at_most("strict_workers", "workforce"),
                    ("lớn hơn số lao động", "greater than the workforce"),
                ),
                Rule(
                    "active_to",
                    _not_before("active_to", "active_from"),
                    ("trước ngày bắt đầu hoạt động", "before the active-from date"),
                ),
            ),
            refs={"unit_code": "unit"},
        ),
        Register(
            "units",
            ("Đơn vị hành chính", "Administrative units"),
            (
                Column("unit_code", "Mã đơn vị hành chính", "Unit code"),
                Column("name_vi", "Tên tiếng Việt", "Vietnamese name"),
                Column("name_en", "Tên tiếng Anh", "English name", required=False),
                Column(
                    "aliases",
                    "Tên gọi khác",
                    "Aliases",
                    required=False,
                    note=("Các cách viết khác, ngăn cách bởi ;", "Other spellings, ; separated"),
                ),
                Column(
                    "level",
                    "Cấp",
                    "Level",
                    "enum",
                    choices=_labels(
                        ("province", "district", "commune"),
                        "Tỉnh|Huyện|Xã",
                        "Province|District|Commune",
                    ),
                ),
                Column("parent_code", "Mã đơn vị cấp trên", "Parent unit code", required=False),
                _day("valid_from", "Hiệu lực từ", "Valid from", required=False),
                _day(
                    "valid_to",
                    "Hiệu lực đến",
                    "Valid to",
                    ("Để trống nếu còn hiệu lực", "Empty while still valid"),
                    required=False,
                ),
                SOURCE,
            ),
            key=("unit_code",),
            rules=(
                Rule(
                    "valid_to",
                    _not_before("valid_to", "valid_from"),
                    ("trước ngày bắt đầu hiệu lực", "before the valid-from date"),
                ),
            ),
            refs={"parent_code": "parent"},
        ),
        Register(
            "crosswalk",
            ("Bảng chuyển đổi đơn vị", "Unit crosswalk"),
            (
                Column("old_code", "Mã đơn vị cũ", "Old unit code"),
                Column("new_code", "Mã đơn vị mới", "New unit code"),
                _day("effective_on", "Ngày hiệu lực", "Effective on"),
                Column(
                    "share",
                    "Tỷ lệ",
                    "Share",
                    "float",
                    minimum=0,
                    maximum=1,
                    note=(
                        "Phần của đơn vị cũ chuyển sang (1 nếu toàn bộ)",
                        "Part of the old unit that went to the new one (1 when whole)",
                    ),
                ),
                _bool(
                    "illustrative",
                    "Minh họa (chưa có nguồn)",
                    "Illustrative (unsourced)",
                    (
                        "Có nếu ánh xạ chưa có văn bản làm nguồn",
                        "Yes when the mapping is unsourced",
                    ),
                ),
                SOURCE,
            ),
            key=("old_code", "new_code", "effective_on"),
            refs={"old_code": "any_unit", "new_code": "any_unit"},
        ),
    ]
}
