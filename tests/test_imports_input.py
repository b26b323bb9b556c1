"""Issue 11 kinds 1 and 3 for imports: every row and value goes through the input door, every bad row is
reported with its line and reason (never a 500), nothing half-written."""

import datetime as dt
import io
import json
import unicodedata

import pytest

from motcua.catalog.importer import SHIPPED_FILE, CatalogImportError, catalog_import
from motcua.catalog.models import Procedure
from motcua.core.errors import ValidationFailed
from motcua.outreach.models import Member, Team
from motcua.outreach.services import members_import

HEADER = "Họ tên,Điện thoại,Vai trò,Đơn vị,Tham gia từ\n"


@pytest.fixture
def team(commune_a):
    return Team.objects.create(unit=commune_a, name="Tổ công nghệ số")


def test_every_bad_row_is_reported_and_nothing_is_imported(team):
    text = (
        HEADER
        + "Lù Văn Páo,0912000114,Tổ trưởng,Cán bộ,01/09/2026\n"
        + "L\x00ò Mai,0912000116,Thành viên,Khác,01/09/2026\n"
        + ("A" * 1399)
        + ",0912000117,Thành viên,Khác,01/09/2026\n"
        + "Giàng Chớ,0912²00118,Thành viên,Khác,01/09/2026\n"
        + "Thào Mí,0912000119,Thành viên,Khác,01/09/2099\n"
        + "Hầu Dợ,0912000120,Thành viên,Khác,01/09/1899\n"
    )
    with pytest.raises(ValidationFailed) as exc:
        members_import(team=team, filename="tv.csv", data=text.encode())
    rows = exc.value.fields["rows"]
    assert [r.split(":")[0] for r in rows] == ["Dòng 3", "Dòng 4", "Dòng 5", "Dòng 6", "Dòng 7"]
    assert "U+0000" in rows[0] and "1399" in rows[1] and "chữ số" in rows[2]
    assert "ngày tham gia" in rows[3] and "ngày tham gia" in rows[4]
    assert Member.objects.count() == 0


def test_names_are_stored_nfc_and_phones_typed_in_groups_are_cleaned(team):
    text = HEADER + unicodedata.normalize("NFD", "Sùng Thị Dợ") + ",+84 912 000 121,Thành viên,Khác,01/09/2026\n"
    members_import(team=team, filename="tv.csv", data=text.encode())
    member = Member.objects.get()
    assert member.full_name == "Sùng Thị Dợ" and member.phone == "0912000121"


def test_xlsx_numbers_and_odd_cells(team):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Họ tên", "Điện thoại", "Vai trò", "Đơn vị", "Tham gia từ"])
    book.active.append(["Lù Văn Páo", 912000114, "Tổ trưởng", "Công an", dt.datetime(2026, 9, 1)])
    book.active.append(["Hầu Thị Mỷ", 912000115.0, "Thành viên", "Khác", "02/09/2026"])
    buffer = io.BytesIO()
    book.save(buffer)
    report = members_import(team=team, filename="tv.xlsx", data=buffer.getvalue())
    assert report.created == 2
    assert set(Member.objects.values_list("phone", flat=True)) == {"0912000114", "0912000115"}


@pytest.mark.parametrize("data", [b"\xff\xfe\x00garbage", b"PK\x03\x04broken", b"", b"Ho ten\n" + b"x" * 200_000])
def test_unreadable_files_are_a_clear_error(team, data):
    try:
        members_import(team=team, filename="tv.xlsx" if data.startswith(b"PK") else "tv.csv", data=data)
    except ValidationFailed as exc:
        assert exc.message
    assert Member.objects.count() == 0


def _shipped() -> dict:
    return json.loads(SHIPPED_FILE.read_text(encoding="utf-8"))


def test_catalogue_refuses_nul_and_overlong_values_with_their_place(empty_catalog):
    data = _shipped()
    procs = data["procedures"]
    procs[0]["name"] = "Đăng ký\u0000 khai sinh"
    procs[1]["documents"][0]["note"] = "\u001b"
    with pytest.raises(CatalogImportError) as exc:
        catalog_import(json.dumps(data, ensure_ascii=False, indent=1))
    problems = [str(p) for p in exc.value.problems]
    assert len(problems) == 2 and all("U+00" in p for p in problems), problems
    assert "trường name" in problems[0] and "documents[0].note" in problems[1]
    assert Procedure.objects.count() == 0


def test_catalogue_refuses_values_longer_than_their_column_and_numbers_out_of_range(empty_catalog):
    data = _shipped()
    procs = data["procedures"]
    procs[0]["name"] = "x" * 301
    procs[1]["agency"] = "y" * 201
    procs[2]["popularity"] = 10**12
    procs[3]["documents"][0]["count"] = 10**6
    with pytest.raises(CatalogImportError) as exc:
        catalog_import(json.dumps(data, ensure_ascii=False, indent=1))
    joined = "\n".join(str(p) for p in exc.value.problems)
    for fragment in ("trường name: dài quá 300", "trường agency: dài quá 200", "popularity", "count"):
        assert fragment in joined, joined
    assert Procedure.objects.count() == 0


def test_catalogue_texts_are_stored_nfc(empty_catalog):
    data = _shipped()
    code = data["procedures"][0]["code"]
    data["procedures"][0]["name"] = unicodedata.normalize("NFD", data["procedures"][0]["name"])
    catalog_import(json.dumps(data, ensure_ascii=False))
    name = Procedure.objects.get(code=code).name
    assert name == unicodedata.normalize("NFC", name)


def test_deeply_nested_catalogue_is_a_clear_error(empty_catalog):
    with pytest.raises(CatalogImportError):
        catalog_import("[" * 100_000)
