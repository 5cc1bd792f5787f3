"""Invented Vietnamese names for the sample: establishments and inspectors.

Usage::

    import numpy as np
    from audit_lib.sample._names import establishment_names, inspector_names
    rng = np.random.default_rng(453)
    establishment_names(rng, np.array(["mining"]), np.array(["enterprise"]), np.array(["PT-NX"]))
    # array(['Công ty TNHH Khoáng sản Nậm Xe Thịnh Phát'], dtype=object)
    inspector_names()[:2]                      # ['Lò Văn Thành', 'Vàng Thị Mai']

Names mix the family names of Phong Thổ's peoples (Dao, Mông, Thái, Hà Nhì,
Giáy, Kinh) with place names of the district; any likeness to a real
business is chance.
"""

from __future__ import annotations

import numpy as np

FAMILY = (
    "Lò", "Vàng", "Tẩn", "Lý", "Giàng", "Sùng", "Chảo", "Phàn", "Tao", "Lù", "Pờ", "Hoàng",
    "Nguyễn", "Trần", "Lê", "Phạm", "Đèo", "Lường",
)  # fmt: skip
GIVEN = (
    "Văn Thành", "Thị Mai", "Láo San", "Văn Hùng", "A Páo", "Thị Hương", "Seo Chảo", "Văn Định",
    "Thị Lan", "A Sử", "Chẻo Lở", "Văn Minh", "Thị Hoa", "Seo Phìn", "Văn Thắng", "Thị Dung",
    "A Chu", "Láo Lù",
)  # fmt: skip
BRANDS = (
    "Thịnh Phát", "An Phát", "Hưng Thịnh", "Đại Phong", "Tiến Đạt", "Minh Khang", "Tây Bắc",
    "Biên Cương", "Hoàng Liên", "Sông Đà", "Nậm Na", "Pú Đao", "Trường Sơn", "Phúc Lộc",
    "Thành Công", "Bình Minh", "Hợp Nhất", "Việt Tiến",
)  # fmt: skip
PLACE = {
    "PT-TT": "Phong Thổ", "PT-BL": "Bản Lang", "PT-DS": "Dào San", "PT-HT": "Hoang Thèn",
    "PT-HL": "Huổi Luông", "PT-KL": "Khổng Lào", "PT-LNT": "Lả Nhì Thàng", "PT-MLP": "Ma Ly Pho",
    "PT-MSS": "Mồ Sì San", "PT-MSG": "Mù Sang", "PT-MSO": "Mường So", "PT-NX": "Nậm Xe",
    "PT-PVS": "Pa Vây Sử", "PT-SLL": "Sì Lở Lầu", "PT-SSH": "Sin Suối Hồ",
    "PT-TQL": "Tông Qua Lìn", "PT-VMC": "Vàng Ma Chải",
}  # fmt: skip
STREAMS = ("Nậm Xe", "Nậm Lùm", "Nậm Cuổi", "Huổi Luông", "Nậm So", "Pa Vây Sử", "Nậm Na")

# {brand}, {place}, {person}, {stream} are filled in; one list per (sector, kind)
PATTERNS = {
    ("mining", "enterprise"): (
        "Công ty TNHH Khoáng sản {place} {brand}",
        "Công ty CP Khai thác đá {brand}",
        "Công ty TNHH Đất hiếm {brand}",
    ),
    ("mining", "other"): ("Điểm khai thác cát sỏi {place}",),
    ("hydropower", "enterprise"): (
        "Công ty CP Thủy điện {stream} {n}",
        "Công ty TNHH Xây dựng thủy điện {brand}",
    ),
    ("construction", "enterprise"): (
        "Công ty TNHH Xây dựng {brand}",
        "Công ty CP Đầu tư và Xây dựng {brand} Lai Châu",
    ),
    ("construction", "household"): ("Tổ thợ xây {person}",),
    ("agriculture", "enterprise"): ("Công ty TNHH Chè {brand}", "Công ty CP Lâm nghiệp {brand}"),
    ("agriculture", "cooperative"): (
        "HTX Nông lâm nghiệp {place}",
        "HTX Chè {place}",
        "HTX Thảo quả {place}",
    ),
    ("agriculture", "household"): ("Hộ trồng rừng {person}", "Trang trại {person}"),
    ("wood", "enterprise"): ("Công ty TNHH Chế biến lâm sản {brand}",),
    ("wood", "household"): ("Xưởng chế biến gỗ {person}", "Xưởng mộc {person}"),
    ("wood", "cooperative"): ("HTX Chế biến gỗ {place}",),
    ("manufacturing", "enterprise"): ("Công ty TNHH Gạch không nung {brand}",),
    ("manufacturing", "household"): ("Cơ sở xay xát {person}", "Lò rèn {person}"),
    ("trade", "enterprise"): ("Công ty TNHH Thương mại {brand}",),
    ("trade", "household"): ("Cửa hàng tạp hóa {person}", "Đại lý vật liệu xây dựng {person}"),
    ("transport", "enterprise"): ("Công ty TNHH Vận tải {brand}",),
    ("transport", "cooperative"): ("HTX Vận tải {place}",),
    ("transport", "household"): ("Hộ kinh doanh vận tải {person}",),
}
FALLBACK = {
    "enterprise": ("Công ty TNHH {brand}",),
    "cooperative": ("HTX Dịch vụ tổng hợp {place}",),
    "household": ("Hộ kinh doanh {person}",),
    "other": ("Cơ sở {person}",),
}


def inspector_names() -> list[str]:
    """The sample's inspectors: a fixed list, so every inspection names two of them."""
    return [f"{f} {g}" for f, g in zip(FAMILY[:8], GIVEN[:8], strict=True)]


def establishment_names(rng, sector, kind, unit) -> np.ndarray:
    """A name per establishment, drawn from the patterns of its sector and kind."""
    n = len(sector)
    draws = rng.integers(0, 1 << 30, (n, 6))
    names = np.empty(n, dtype=object)
    for i, (s, k, u, d) in enumerate(zip(sector, kind, unit, draws, strict=True)):
        patterns = PATTERNS.get((s, k), FALLBACK[k])
        names[i] = patterns[d[0] % len(patterns)].format(
            brand=BRANDS[d[1] % len(BRANDS)],
            place=PLACE.get(u, "Phong Thổ"),
            person=f"{FAMILY[d[2] % len(FAMILY)]} {GIVEN[d[3] % len(GIVEN)]}",
            stream=STREAMS[d[4] % len(STREAMS)],
            n=1 + d[5] % 3,
        )
    return names
