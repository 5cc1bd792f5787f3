"""Register kinds as data: columns, natural keys, row rules and references, per kind.

Usage::

    from audit_lib.registers._kinds import REGISTERS
    accidents = REGISTERS["accidents"]
    accidents.key                                # ('accident_id',)
    accidents.column("deaths").header            # 'Số người chết / Deaths'
    [r.field for r in accidents.rules]           # ['deaths', 'serious_injuries', ...]

Each :class:`~audit_lib.registers._columns.Register` lists its columns
(:class:`~audit_lib.registers._spreadsheet.Column`: canonical name, Vietnamese and English
header, type, required, bounds, allowed values, a note for the template), the
natural key an import matches rows on, row rules checked vectorized over the
whole file, and references checked against the store (``unit``,
``establishment``, ``accident``). The column
names are the table columns of docs/contracts.md.
"""

from __future__ import annotations

from audit_lib.core.vocabulary import KIND_LABELS, SECTOR_LABELS
from audit_lib.registers._columns import (
    CHANNELS,
    ESTABLISHMENT,
    SOURCE,
    TRAINING_CATEGORIES,
    UNIT,
    YEAR,
    Register,
    Rule,
    at_most,
    bool_column,
    choice_labels,
    day_column,
    in_year,
    int_column,
    labelled,
    not_before,
)
from audit_lib.registers._spreadsheet import Column
from audit_lib.store import check_establishments, limits, schema

REGISTERS: dict[str, Register] = {
    r.kind: r
    for r in [
        Register(
            "workforce",
            ("Lao động theo đơn vị và năm", "Workforce by unit and year"),
            (
                UNIT,
                YEAR,
                int_column(
                    "workers",
                    "Số lao động",
                    "Workers",
                    ("Tổng số người lao động", "All workers"),
                    maximum=limits.MAX_PEOPLE,
                ),
                int_column(
                    "workers_labour_relations",
                    "Số lao động có quan hệ lao động",
                    "Workers with a labour contract",
                    ("Trong khu vực có quan hệ lao động", "In the labour-relations area"),
                    required=False,
                    maximum=limits.MAX_PEOPLE,
                ),
            ),
            key=schema.REGISTER_KEYS["workforce"],
            rules=(
                Rule(
                    "workers_labour_relations",
                    at_most("workers_labour_relations", "workers"),
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
                day_column("occurred_on", "Ngày xảy ra", "Date of accident"),
                ESTABLISHMENT,
                UNIT,
                bool_column(
                    "labour_relations",
                    "Có quan hệ lao động",
                    "Labour-relations area",
                    ("Có: nạn nhân có hợp đồng lao động", "Yes: victims had a labour contract"),
                ),
                int_column(
                    "victims", "Số người bị nạn", "Victims", minimum=1, maximum=limits.MAX_VICTIMS
                ),
                int_column(
                    "deaths",
                    "Số người chết",
                    "Deaths",
                    ("Kể cả người chết sau đó do vụ tai nạn", "Including later deaths from it"),
                    maximum=limits.MAX_VICTIMS,
                ),
                int_column(
                    "serious_injuries",
                    "Số người bị thương nặng",
                    "Seriously injured",
                    ("Không tính người đã chết", "Not counting those who died"),
                    maximum=limits.MAX_VICTIMS,
                ),
                day_column(
                    "declared_on",
                    "Ngày khai báo",
                    "Date declared",
                    (
                        "Ngày khai báo với cơ quan có thẩm quyền (Luật ATVSLĐ, Điều 34)",
                        "Date declared to the authority (OSH Law, Art. 34)",
                    ),
                    required=False,
                ),
                day_column(
                    "investigation_completed_on",
                    "Ngày hoàn thành điều tra",
                    "Investigation completed on",
                    ("Ngày công bố biên bản điều tra", "Date the inquiry record was issued"),
                    required=False,
                ),
                bool_column(
                    "handled",
                    "Đã xử lý",
                    "Handled",
                    ("Đã xử lý xong theo kết luận điều tra", "Dealt with as the inquiry concluded"),
                    required=False,
                ),
            ),
            key=schema.REGISTER_KEYS["accidents"],
            rules=(
                Rule(
                    "deaths",
                    at_most("deaths", "victims"),
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
                    not_before("declared_on", "occurred_on"),
                    ("trước ngày xảy ra tai nạn", "before the accident happened"),
                ),
                Rule(
                    "investigation_completed_on",
                    not_before("investigation_completed_on", "occurred_on"),
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
                int_column(
                    "victim_no",
                    "Số thứ tự nạn nhân",
                    "Victim number",
                    ("1, 2, … trong vụ", "1, 2, … within the accident"),
                    minimum=1,
                    maximum=limits.MAX_VICTIMS,
                ),
                bool_column("compensated", "Đã được bồi thường, trợ cấp", "Compensated"),
                Column(
                    "amount_vnd",
                    "Số tiền (đồng)",
                    "Amount (VND)",
                    "int",
                    False,
                    minimum=0,
                    maximum=limits.MAX_AMOUNT_VND,
                ),
                day_column("paid_on", "Ngày chi trả", "Paid on", required=False),
            ),
            key=schema.REGISTER_KEYS["compensation"],
            refs={"accident_id": "accident"},
        ),
        Register(
            "training",
            ("Huấn luyện ATVSLĐ", "OSH training"),
            (
                YEAR,
                UNIT,
                ESTABLISHMENT,
                int_column(
                    "group",
                    "Nhóm huấn luyện",
                    "Training group",
                    ("Nhóm 1–6 theo Nghị định 44/2016", "Group 1–6 of Decree 44/2016"),
                    minimum=1,
                    maximum=limits.MAX_TRAINING_GROUP,
                ),
                Column(
                    "category", "Đối tượng", "Person category", "enum", choices=TRAINING_CATEGORIES
                ),
                int_column(
                    "headcount",
                    "Số người phải huấn luyện",
                    "Headcount",
                    ("Số người thuộc đối tượng", "People in the category"),
                    maximum=limits.MAX_PEOPLE,
                ),
                int_column(
                    "trained", "Số người đã huấn luyện", "Trained", maximum=limits.MAX_PEOPLE
                ),
            ),
            key=schema.REGISTER_KEYS["training"],
            rules=(
                Rule(
                    "trained",
                    at_most("trained", "headcount"),
                    ("lớn hơn số người phải huấn luyện", "greater than the headcount"),
                ),
                Rule(
                    "group",
                    lambda f: (f.category != "health_worker") | f.group.isna() | (f.group == 5),
                    (
                        "người làm công tác y tế tại cơ sở là nhóm huấn luyện 5 "
                        "(Nghị định 44/2016/NĐ-CP)",
                        "the health staff of establishments are training group 5 "
                        "(Decree 44/2016/NĐ-CP)",
                    ),
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
                int_column(
                    "workers_examined",
                    "Số người được khám BNN",
                    "Workers examined",
                    ("Khám phát hiện bệnh nghề nghiệp", "Occupational-disease examinations"),
                    maximum=limits.MAX_PEOPLE,
                ),
                int_column(
                    "od_cases",
                    "Số ca mắc BNN",
                    "Occupational-disease cases",
                    maximum=limits.MAX_PEOPLE,
                ),
            ),
            key=schema.REGISTER_KEYS["od_exams"],
            rules=(
                Rule(
                    "od_cases",
                    at_most("od_cases", "workers_examined"),
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
                day_column("monitored_on", "Ngày quan trắc", "Monitored on", required=False),
                int_column("samples", "Số mẫu", "Samples", maximum=limits.MAX_SAMPLES),
                int_column(
                    "samples_failing",
                    "Số mẫu không đạt",
                    "Samples failing",
                    ("Mẫu vượt giới hạn của QCVN", "Samples above the QCVN limit"),
                    maximum=limits.MAX_SAMPLES,
                ),
            ),
            key=schema.REGISTER_KEYS["env_monitoring"],
            rules=(
                Rule(
                    "samples_failing",
                    at_most("samples_failing", "samples"),
                    ("lớn hơn số mẫu", "greater than the number of samples"),
                ),
                Rule(
                    "monitored_on",
                    in_year("monitored_on"),
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
                day_column("reached_on", "Ngày thực hiện", "Reached on", required=False),
            ),
            key=schema.REGISTER_KEYS["outreach"],
            rules=(
                Rule(
                    "reached_on",
                    in_year("reached_on"),
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
                    note=(
                        "Mã số thuế: 10 chữ số, chi nhánh thêm '-' và 3 chữ số (6200123456-001); "
                        "hộ kinh doanh chưa có mã số thuế ghi số đăng ký. Định dạng cột là Văn "
                        "bản để giữ số 0 ở đầu",
                        "Tax code: 10 digits, a branch adds '-' and 3 digits (6200123456-001); "
                        "a household business without one gives its registration number. Format "
                        "the column as Text to keep leading zeros",
                    ),
                    aliases=("Mã số thuế", "Mã số", "Mã cơ sở", "Mã đăng ký", "Establishment code"),
                ),
                Column(
                    "name", "Tên cơ sở", "Name", note=("Ít nhất 3 ký tự", "At least 3 characters")
                ),
                Column(
                    "kind",
                    "Loại hình",
                    "Kind",
                    "enum",
                    choices=labelled(KIND_LABELS),
                ),
                Column(
                    "sector",
                    "Ngành",
                    "Sector",
                    "enum",
                    choices=labelled(SECTOR_LABELS),
                ),
                Column("vsic", "Mã ngành VSIC", "VSIC code", required=False),
                UNIT,
                int_column("workforce", "Số lao động", "Workforce", maximum=limits.MAX_WORKFORCE),
                int_column(
                    "strict_workers",
                    "Số NLĐ làm việc nghiêm ngặt",
                    "Strict-job workers",
                    (
                        "Theo Thông tư 06/2020; trống là 0; không quá số lao động",
                        "Per Circular 06/2020; empty means 0; at most the workforce",
                    ),
                    required=False,
                    maximum=limits.MAX_WORKFORCE,
                ),
                int_column(
                    "hazardous_workers",
                    "Số NLĐ làm công việc nặng nhọc, độc hại, nguy hiểm",
                    "Workers in heavy, hazardous or dangerous jobs",
                    (
                        "Theo danh mục của Thông tư 11/2020/TT-BLĐTBXH; trống là chưa rõ (các "
                        "nghĩa vụ theo công việc này vẫn áp dụng); không quá số lao động",
                        "Per the list of Circular 11/2020/TT-BLĐTBXH; empty means not known "
                        "(the duties that follow such jobs still apply); at most the workforce",
                    ),
                    required=False,
                    maximum=limits.MAX_WORKFORCE,
                ),
                bool_column(
                    "has_strict_equipment",
                    "Có thiết bị nghiêm ngặt",
                    "Strict-list equipment",
                    ("Máy, thiết bị có yêu cầu nghiêm ngặt", "Equipment on the strict list"),
                    required=False,
                ),
                bool_column(
                    "labour_relations",
                    "Có quan hệ lao động",
                    "Labour-relations area",
                    (
                        "Có nếu người lao động có hợp đồng lao động (doanh nghiệp, HTX); trống "
                        "là Không",
                        "Yes when workers have labour contracts (enterprises, cooperatives); "
                        "empty means no",
                    ),
                    required=False,
                ),
                bool_column(
                    "employs_minors",
                    "Có lao động chưa thành niên",
                    "Employs minors",
                    required=False,
                ),
                # an opening or a closing may be announced ahead: these dates may lie ahead
                day_column(
                    "active_from", "Hoạt động từ", "Active from", required=False, past=False
                ),
                day_column(
                    "active_to",
                    "Hoạt động đến",
                    "Active to",
                    ("Không trước ngày bắt đầu hoạt động", "Not before the active-from date"),
                    required=False,
                    past=False,
                ),
            ),
            key=("code",),
            check=check_establishments,
            # not in the template: derived from the sector and VSIC code (Circular
            # 07/2016/TT-BLĐTBXH, Art. 8); an older file's column must agree with it
            derived=(
                Column(
                    "high_risk",
                    "Nguy cơ cao",
                    "High risk",
                    "bool",
                    required=False,
                    aliases=("Nguy cơ cao về TNLĐ, BNN",),
                ),
            ),
            refs={"unit_code": "unit"},
            # a commune written by name is the one of that name valid when the establishment
            # opened (now, without a date); a code is accepted whatever the unit's dates
            unit_when="active_from",
            unit_checked=False,
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
                    choices=choice_labels(
                        ("province", "district", "commune"),
                        "Tỉnh|Huyện|Xã",
                        "Province|District|Commune",
                    ),
                ),
                Column("parent_code", "Mã đơn vị cấp trên", "Parent unit code", required=False),
                # a reform is decided before it takes effect: these dates may lie ahead
                day_column("valid_from", "Hiệu lực từ", "Valid from", required=False, past=False),
                day_column(
                    "valid_to",
                    "Hiệu lực đến",
                    "Valid to",
                    ("Để trống nếu còn hiệu lực", "Empty while still valid"),
                    required=False,
                    past=False,
                ),
                SOURCE,
            ),
            key=("unit_code",),
            rules=(
                Rule(
                    "valid_to",
                    not_before("valid_to", "valid_from"),
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
                day_column("effective_on", "Ngày hiệu lực", "Effective on", past=False),
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
                bool_column(
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
