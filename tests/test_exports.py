"""Issue 11 kind 4: spreadsheet exports are data, not formulas (one writer for every export)."""

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from motcua.accounts.models import Role
from motcua.core.exports import csv_bytes, csv_cell, xlsx_bytes
from motcua.outreach.models import Member, Team, TeamRole
from motcua.outreach.services import records_sync

DANGEROUS = [
    '=HYPERLINK("http://x","a")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
    "=cmd|' /C calc'!A0",
]


@pytest.mark.parametrize("value", DANGEROUS)
def test_csv_cells_starting_with_a_trigger_are_quoted(value):
    assert csv_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Lò Thị Mai", "0912345678", "Thôn 3", "a=b", ""])
def test_ordinary_cells_are_unchanged(value):
    assert csv_cell(value) == value


def test_numbers_and_dates_stay_typed():
    assert csv_cell(-5) == -5
    assert csv_cell(dt.date(2026, 11, 30)) == "30/11/2026"


def test_xlsx_stores_strings_as_strings_and_keeps_the_value():
    data = xlsx_bytes(["Tên"], [[v] for v in DANGEROUS] + [[dt.date(2026, 1, 2)], [7]])
    sheet = load_workbook(io.BytesIO(data)).active
    cells = [sheet.cell(row=i, column=1) for i in range(2, 2 + len(DANGEROUS))]
    assert [c.value for c in cells] == DANGEROUS
    assert all(c.data_type == "s" for c in cells)
    assert all(c.quotePrefix for c in cells)
    assert sheet.cell(row=len(DANGEROUS) + 2, column=1).value == dt.datetime(2026, 1, 2)
    assert sheet.cell(row=len(DANGEROUS) + 3, column=1).value == 7
    # No formula anywhere in the file.
    assert b"<f>" not in _sheet_xml(data)


def _sheet_xml(data: bytes) -> bytes:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("xl/worksheets/sheet1.xml")


def test_csv_bytes_round_trip():
    text = csv_bytes(["Tên"], [["=1+1"], ["Lò Thị Mai"]]).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text))) == [["Tên"], ["'=1+1"], ["Lò Thị Mai"]]


@pytest.fixture
def leader(commune_a, village_a, make_officer):
    team = Team.objects.create(unit=commune_a, name="Tổ công nghệ số")
    user = make_officer("totruong", Role.TEAM_MEMBER, commune_a)
    return Member.objects.create(
        team=team,
        user=user,
        full_name='=HYPERLINK("http://evil")',
        phone="0912000115",
        active_from=dt.date(2026, 1, 1),
        team_role=TeamRole.LEADER,
    )


def test_the_outreach_export_neutralises_names(client, leader, village_a):
    day = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    [result] = records_sync(
        member=leader,
        items=[
            {
                "client_id": "e-000001",
                "full_name": "Lò Thị Mai",
                "village": village_a.code,
                "skills": ["vneid_level2"],
                "date": day,
            }
        ],
    )
    assert result["status"] == "created"
    # Names are letters at input now (check_person_name); rows stored before that may still hold a formula.
    from motcua.outreach.models import AssistanceRecord

    AssistanceRecord.objects.filter(client_id="e-000001").update(full_name="=1+1")
    client.force_login(leader.user)
    text = client.get(f"/to-cong-nghe/to/{leader.team_id}/xuat").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][1] == '\'=HYPERLINK("http://evil")' and rows[1][2] == "'=1+1"
    data = client.get(f"/to-cong-nghe/to/{leader.team_id}/xuat?dang=xlsx").content
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.cell(row=2, column=3).value == "=1+1" and sheet.cell(row=2, column=3).data_type == "s"
    assert sheet.cell(row=2, column=1).value == dt.datetime.combine(dt.date.fromisoformat(day), dt.time())
    assert b"<f>" not in _sheet_xml(data)


@pytest.mark.parametrize("fmt,ext", [("csv", "csv"), ("xlsx", "xlsx")])
def test_export_downloads_get_a_safe_attachment_name(fmt, ext):
    from motcua.core.exports import spreadsheet_response

    response = spreadsheet_response(
        filename='../../etc/Danh sách "thôn"\r\nX-Evil: 1', header=["A"], rows=[["1"]], fmt=fmt
    )
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "\r" not in disposition and "\n" not in disposition and "/" not in disposition.split(";", 1)[1]
    assert disposition.rstrip('"').endswith(f".{ext}")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
