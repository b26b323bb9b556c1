import copy
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from motcua.catalog.importer import SHIPPED_FILE, CatalogImportError, catalog_export, catalog_import
from motcua.catalog.models import Procedure, RequiredDocument

DOMAIN_CODES = {
    "1.001193",
    "1.000894",
    "1.000656",
    "1.004873",
    "2.000815",
    "2.000884",
    "1.004222",
    "3.000722",
    "2.002913",
}


def shipped() -> dict:
    return json.loads(SHIPPED_FILE.read_text(encoding="utf-8"))


def test_shipped_catalogue_imports_cleanly(empty_catalog):
    report = catalog_import(SHIPPED_FILE.read_text(encoding="utf-8"))
    assert report.created >= 30 and not report.problems
    codes = set(Procedure.objects.current().values_list("code", flat=True))
    assert codes >= DOMAIN_CODES
    birth = Procedure.objects.get(code="1.001193")
    assert birth.time_kind == "same_day" and birth.fee["kind"] == "free" and birth.version == 1
    assert birth.documents.count() >= 3
    assert "ho_ten_tre" in birth.form_schema["properties"]
    copy_fee = Procedure.objects.get(code="2.000815").fee
    assert copy_fee["cap"] == 200000 and copy_fee["tiers"][0]["amount"] == 2000
    assert Procedure.objects.get(code="1.004222").fee == {
        "kind": "flat",
        "counter_amount": 20000,
        "online_amount": 10000,
        "note": "20.000 đồng khi nộp trực tiếp, 10.000 đồng khi nộp trực tuyến",
    }


def test_reimport_changes_nothing_and_a_change_makes_a_new_version(empty_catalog):
    text = SHIPPED_FILE.read_text(encoding="utf-8")
    catalog_import(text)
    again = catalog_import(text)
    assert again.created == 0 and again.new_versions == 0 and again.unchanged == len(shipped()["procedures"])
    data = shipped()
    data["procedures"][0]["time"] = {"kind": "working_days", "amount": 1}
    report = catalog_import(json.dumps(data, ensure_ascii=False))
    assert report.new_versions == 1
    old, new = Procedure.objects.filter(code=data["procedures"][0]["code"]).order_by("version")
    assert old.valid_to is not None and new.valid_to is None and new.version == 2
    assert old.time_kind == "same_day"  # dossiers filed under version 1 keep its rules
    assert old.documents.count() == new.documents.count()


def test_broken_file_changes_nothing_and_lists_every_error(empty_catalog):
    catalog_import(SHIPPED_FILE.read_text(encoding="utf-8"))
    before = (Procedure.objects.count(), RequiredDocument.objects.count())
    data = shipped()
    procs = data["procedures"]
    procs[0]["online_level"] = "level4"  # not an allowed value
    del procs[1]["result"]  # a required field
    procs[2]["field"] = "khong-co"  # undeclared field
    procs[3]["code"] = procs[4]["code"]  # duplicate code
    procs[5]["documents"][0]["kind"] = "photo"
    procs[6]["fee"] = {"kind": "flat"}  # no amount
    procs[7]["linked"] = ["9.999999"]
    procs[8]["name"] = procs[8]["name"] + " (sửa)"  # a valid change must not land either
    text = json.dumps(data, ensure_ascii=False, indent=1)
    with pytest.raises(CatalogImportError) as exc:
        catalog_import(text)
    problems = [str(p) for p in exc.value.problems]
    assert len(problems) == 7, problems
    lines = text.splitlines()
    first = exc.value.problems[0]
    assert first.line is not None and '"code"' in lines[first.line - 1]
    joined = "\n".join(problems)
    for fragment in ("online_level", "result", "khong-co", "trùng", "documents[0].kind", "amount", "9.999999"):
        assert fragment in joined, fragment
    assert all(p.startswith("dòng ") for p in problems)
    assert (Procedure.objects.count(), RequiredDocument.objects.count()) == before
    assert not Procedure.objects.filter(name__endswith="(sửa)").exists()


def test_invalid_json_reports_line(empty_catalog):
    with pytest.raises(CatalogImportError) as exc:
        catalog_import('{\n  "schema": "motcua.catalog/1",\n  "fields": [,]\n}')
    assert exc.value.problems[0].line == 3
    assert "JSON" in exc.value.problems[0].message


def test_export_round_trips(empty_catalog):
    catalog_import(SHIPPED_FILE.read_text(encoding="utf-8"))
    exported = catalog_export()
    assert len(exported["procedures"]) == len(shipped()["procedures"])
    report = catalog_import(json.dumps(exported, ensure_ascii=False))
    assert report.unchanged == len(exported["procedures"]) and report.new_versions == 0


def test_commands(empty_catalog, tmp_path):
    out = StringIO()
    call_command("catalog_import", quiet_progress=True, stdout=out, stderr=StringIO())
    assert f"{len(shipped()['procedures'])} thủ tục mới, 0 phiên bản mới" in out.getvalue()
    target = tmp_path / "export.json"
    call_command("catalog_export", output=str(target), stdout=StringIO())
    assert json.loads(target.read_text(encoding="utf-8"))["schema"] == "motcua.catalog/1"
    broken = copy.deepcopy(shipped())
    broken["procedures"][0]["level"] = "village"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(broken, ensure_ascii=False), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="1 lỗi"):
        call_command("catalog_import", str(bad), quiet_progress=True, stdout=StringIO(), stderr=err)
    assert "level" in err.getvalue()


def test_admin_import_page(client, empty_catalog, django_user_model, tmp_path):
    admin = django_user_model.objects.create_superuser("admin", password="x-mat-khau-1")
    client.force_login(admin)
    url = "/quan-tri/catalog/procedure/nap-danh-muc/"
    assert client.get(url).status_code == 200
    broken = shipped()
    broken["procedures"][0]["channels"] = []
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(broken, ensure_ascii=False), encoding="utf-8")
    with bad.open("rb") as handle:
        response = client.post(url, {"file": handle})
    assert response.status_code == 400 and "channels" in response.content.decode()
    assert Procedure.objects.count() == 0
    with SHIPPED_FILE.open("rb") as handle:
        assert client.post(url, {"file": handle}).status_code == 302
    assert Procedure.objects.count() == len(shipped()["procedures"])
