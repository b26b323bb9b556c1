"""Generate a large synthetic catalogue from the shipped one: each real procedure is repeated with
variations (other agencies, other subjects, extra words), so the index has realistic vocabulary and
document frequencies at the size of a province's whole catalogue."""

import json
import random
from pathlib import Path

from motcua.catalog.search import Entry

SHIPPED = Path(__file__).resolve().parent.parent / "motcua" / "catalog" / "data" / "procedures.json"
SUBJECTS = [
    "có yếu tố nước ngoài",
    "cho người nước ngoài",
    "cho doanh nghiệp",
    "cho hợp tác xã",
    "tại khu vực biên giới",
    "cho người có công",
    "đối với tàu cá",
    "trong lĩnh vực giáo dục",
    "trong lĩnh vực đất đai",
    "đối với công trình",
    "cấp tỉnh",
    "cấp bộ",
    "lần đầu",
    "cấp lại",
    "điều chỉnh",
    "gia hạn",
    "thu hồi",
    "cho cơ sở y tế",
    "cho trường học",
    "về môi trường",
    "về xây dựng",
    "về giao thông",
    "về nông nghiệp",
    "về thủy sản",
    "về văn hóa",
    "về thể thao",
]
VERBS = [
    "Cấp",
    "Cấp lại",
    "Điều chỉnh",
    "Gia hạn",
    "Thu hồi",
    "Đăng ký",
    "Xác nhận",
    "Công nhận",
    "Phê duyệt",
    "Thẩm định",
]
OBJECTS = [
    "giấy phép hoạt động",
    "chứng chỉ hành nghề",
    "giấy chứng nhận đủ điều kiện",
    "quyết định thành lập",
    "giấy phép xây dựng",
    "giấy phép môi trường",
    "giấy phép lao động",
    "giấy chứng nhận quyền sử dụng đất",
    "giấy phép kinh doanh",
    "giấy phép khai thác",
    "giấy chứng nhận đăng ký",
    "văn bản chấp thuận",
]


def generate(n: int, seed: int = 7) -> list[Entry]:
    rng = random.Random(seed)
    data = json.loads(SHIPPED.read_text(encoding="utf-8"))
    fields = {f["slug"]: f["name"] for f in data["fields"]}
    entries = [
        Entry(
            p["code"],
            p["name"],
            p.get("citizen_name", ""),
            fields[p["field"]],
            tuple(p.get("aliases", [])),
            p.get("popularity", 0),
        )
        for p in data["procedures"]
    ]
    serial = 0
    while len(entries) < n:
        serial += 1
        code = f"9.{serial:06d}"
        if rng.random() < 0.5:
            base = rng.choice(data["procedures"])
            name = f"{base['name']} {rng.choice(SUBJECTS)}"
            field = fields[base["field"]]
        else:
            name = f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(SUBJECTS)}"
            field = rng.choice(list(fields.values()))
        entries.append(Entry(code, name, "", field, (), rng.randint(0, 5)))
    return entries
