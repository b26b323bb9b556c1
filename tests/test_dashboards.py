"""Issue 18, points 3 and 5: the leaders' pages (scope, drill-down, today's work, ratings, charts with text
alternatives), the public page /cong-khai, and exports (direct for small tables, a job with progress for long
ones, neutralised cells, only for the officer who asked)."""

import csv
import datetime as dt
import gzip
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from motcua.accounts.models import Role
from motcua.dossiers.models import Dossier, Rating
from motcua.reports import exports
from motcua.reports.models import ExportJob

from .factories import DossierFactory


@pytest.fixture
def stats():
    from motcua.stats import selectors

    return selectors


@pytest.fixture
def leader(staff):
    return staff["lanhdao"]


@pytest.fixture
def province_admin(make_officer, province, settings):
    settings.OFFICER_TOTP_REQUIRED = False
    return make_officer("quantri", Role.PROVINCE_ADMIN, province)


@pytest.fixture
def open_dossiers(catalog, office_a, staff):
    """Two dossiers being appraised by chuyenvien, one of them overdue; one waiting to be assigned."""
    overdue = DossierFactory(appraising=True, office=office_a)
    Dossier.objects.filter(pk=overdue.pk).update(due_at=timezone.now() - dt.timedelta(hours=2))
    DossierFactory(appraising=True, office=office_a)
    DossierFactory(received=True, office=office_a)
    return overdue


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode() if status == 200 else ""


# --- scope ------------------------------------------------------------------------------------------------------
def test_officers_see_only_units_in_their_scope(
    client, stats, leader, province_admin, commune_a, commune_b, province, citizen
):
    client.force_login(leader)
    assert client.get("/can-bo/so-lieu").url == f"/can-bo/so-lieu/{commune_a.code}"
    page(client, f"/can-bo/so-lieu/{commune_a.code}")
    for code in (commune_b.code, province.code, "khong-co"):
        page(client, f"/can-bo/so-lieu/{code}", status=404)
    page(client, f"/can-bo/so-lieu/{commune_b.code}/ho-so?chi-so=in_progress", status=404)
    page(client, f"/can-bo/so-lieu/{commune_b.code}?bang=officers&dang=csv", status=404)

    client.force_login(province_admin)
    html = page(client, f"/can-bo/so-lieu/{province.code}")
    assert 'data-testid="ranking"' in html
    assert commune_a.name in html and commune_b.name in html
    page(client, f"/can-bo/so-lieu/{commune_b.code}")

    client.force_login(citizen)
    page(client, f"/can-bo/so-lieu/{commune_a.code}", status=404)


# --- the commune leader's view ------------------------------------------------------------------------------------
def test_the_leaders_view_shows_todays_work_by_officer_and_the_ratings(client, stats, leader, open_dossiers, commune_a):
    returned = DossierFactory(returned=True, office=open_dossiers.office)
    Rating.objects.create(dossier=returned, score=2, comment="Chờ lâu quá ở quầy")
    client.force_login(leader)
    html = page(client, f"/can-bo/so-lieu/{commune_a.code}")
    officers = re.search(r'data-testid="officers".*?</table>', html, re.S).group(0)
    row = re.search(r"chuyenvien</th>(.*?)</tr>", officers, re.S).group(1)
    assert re.findall(r">(\d+)<", row)[:2] == ["2", "1"]  # two open, one overdue
    assert "Chưa phân công" in officers  # the dossier waiting to be assigned
    assert "Chờ lâu quá ở quầy" in html and "2/5" in html
    assert returned.applicant_name not in html  # ratings come without names
    # The chart is SVG with a title, a description and the same numbers in a table.
    assert "<svg" in html and "<title" in html and "<desc" in html and 'data-testid="months"' in html
    assert "/cong-khai/cach-tinh#" in html  # every figure says how it is computed
    method = page(client, "/cong-khai/cach-tinh")
    for anchor in set(re.findall(r"/cong-khai/cach-tinh#([a-z0-9-]+)", html)):
        assert f'id="{anchor}"' in method, anchor
    assert_svg_numbers(html)


def assert_svg_numbers(html: str) -> None:
    """SVG geometry is written with a dot and no digit grouping, whatever the page's language."""
    attributes = re.findall(r'\b(?:x|y|x1|x2|y1|y2|cx|cy|r|width|height|viewBox)="([^"]*)"', html)
    assert attributes
    bad = [a for a in attributes if a != "100%" and not re.fullmatch(r"[0-9. -]+", a)]
    assert bad == []


def test_drill_down_from_a_number_to_its_dossiers(client, stats, leader, open_dossiers, commune_a):
    client.force_login(leader)
    html = page(client, f"/can-bo/so-lieu/{commune_a.code}")
    link = re.search(r'href="(/can-bo/so-lieu/[^"]+chi-so=in_progress[^"]*)"', html).group(1).replace("&amp;", "&")
    listing = page(client, link)
    assert open_dossiers.code in listing
    assert 'data-testid="behind"' in listing
    procedure = open_dossiers.procedure.code
    detail = page(client, f"/can-bo/so-lieu/{commune_a.code}/thu-tuc/{procedure}")
    assert open_dossiers.procedure.name in detail
    page(client, f"/can-bo/so-lieu/{commune_a.code}/ho-so?chi-so=khong-co", status=404)


def test_a_bad_period_shows_the_default_with_an_error(client, stats, leader, commune_a):
    client.force_login(leader)
    html = page(client, f"/can-bo/so-lieu/{commune_a.code}?tu=31/02/2026")
    assert 'data-error-code="invalid_date"' in html
    html = page(client, f"/can-bo/so-lieu/{commune_a.code}?tu=01/06/2026&den=01/01/2026")
    assert 'data-error-code="invalid_range"' in html and "Ngày bắt đầu (01/06/2026) đang sau ngày kết thúc" in html
    # The public page answers a reversed period the same way (it used to show the default silently).
    client.logout()
    html = page(client, "/cong-khai?tu=01/06/2026&den=01/01/2026")
    assert 'data-error-code="invalid_range"' in html


def test_the_commune_page_costs_the_same_with_more_dossiers(client, stats, leader, catalog, office_a, commune_a):
    client.force_login(leader)
    url = f"/can-bo/so-lieu/{commune_a.code}"
    page(client, url)

    def cost():
        with CaptureQueriesContext(connection) as ctx:
            page(client, url)
        return len(ctx.captured_queries)

    DossierFactory(appraising=True, office=office_a)
    few = cost()
    for _ in range(4):
        returned = DossierFactory(returned=True, office=office_a)
        Rating.objects.create(dossier=returned, score=4, comment="Tốt")
        DossierFactory(appraising=True, office=office_a)
    assert cost() == few


# --- exports ------------------------------------------------------------------------------------------------------
def test_a_small_table_downloads_at_once_and_neutralised(client, stats, leader, open_dossiers, commune_a):
    leader.__class__.objects.filter(username="chuyenvien").update(full_name='=HYPERLINK("http://x","y")')
    client.force_login(leader)
    response = client.get(f"/can-bo/so-lieu/{commune_a.code}?bang=officers&dang=csv")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Cán bộ"
    assert rows[1][:3] == ['\'=HYPERLINK("http://x","y")', "2", "1"]
    response = client.get(f"/can-bo/so-lieu/{commune_a.code}?bang=monthly&dang=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 13  # the header and 12 months
    # The long tables go through a job, never a direct download.
    assert client.get(f"/can-bo/so-lieu/{commune_a.code}?bang=report&dang=csv").status_code == 404


def test_a_long_export_runs_as_a_job_with_progress_and_only_its_owner_gets_it(
    client, stats, leader, staff, open_dossiers, commune_a, django_capture_on_commit_callbacks
):
    client.force_login(leader)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/can-bo/xuat", {"bang": "dossiers", "unit": commune_a.code, "metric": "in_progress", "dang": "xlsx"}
        )
    job = ExportJob.objects.get()
    assert response.url == f"/can-bo/xuat/{job.pk}"
    html = page(client, response.url)
    assert 'data-status="done"' in html and 'http-equiv="refresh"' not in html
    download = client.get(f"/can-bo/xuat/{job.pk}/tai-ve")
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    codes = {sheet.cell(row=r, column=1).value for r in range(2, sheet.max_row + 1)}
    assert open_dossiers.code in codes and len(codes) == 3
    # Another officer (same unit) gets the same 404 as for a job that does not exist.
    client.force_login(staff["tiepnhan"])
    page(client, f"/can-bo/xuat/{job.pk}", status=404)
    assert client.get(f"/can-bo/xuat/{job.pk}/tai-ve").status_code == 404
    # Outside the officer's scope: 404 before anything is queued.
    client.force_login(leader)
    response = client.post(
        "/can-bo/xuat", {"bang": "dossiers", "unit": "03037", "metric": "in_progress", "dang": "csv"}
    )
    assert response.status_code == 404 and ExportJob.objects.count() == 1


def test_progress_is_written_while_the_file_is_made(stats, leader, commune_a, monkeypatch):
    seen = []
    job = ExportJob.objects.create(requested_by=leader, table="numbers", fmt="csv")

    def numbers(*, user, params, describe_only=False, progress=None):
        def rows():
            for n in range(450):
                if n in (0, 201, 401):  # what the progress page would read now
                    seen.append(ExportJob.objects.get(pk=job.pk).done)
                yield [n]

        return exports.Table("Số", "so", ["n"], rows(), total=450)

    monkeypatch.setitem(exports.TABLES, "numbers", numbers)
    exports.export_run(job_id=job.pk)
    job.refresh_from_db()
    assert seen == [0, 200, 400]
    assert job.status == "done" and job.done == job.total == 450 and job.percent == 100
    assert job.file.read().decode("utf-8-sig").count("\n") == 451
    assert exports.export_run(job_id=job.pk).status == "done"  # a second run leaves it alone


def test_the_periodic_report_lists_units_and_fields(
    client, stats, province_admin, open_dossiers, province, commune_a, commune_b, django_capture_on_commit_callbacks
):
    client.force_login(province_admin)
    assert 'name="unit"' in page(client, "/can-bo/bao-cao")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/can-bo/xuat",
            {"bang": "report", "unit": province.code, "tu": "01/01/2026", "den": "30/11/2026", "dang": "csv"},
        )
    job = ExportJob.objects.get()
    assert job.status == "done" and job.done == job.total == 2  # two communes
    rows = list(csv.reader(io.StringIO(job.file.read().decode("utf-8-sig"))))
    assert rows[0][:3] == ["Đơn vị", "Mã đơn vị", "Lĩnh vực"]
    assert {r[0] for r in rows[1:]} == {commune_a.name, commune_b.name}
    field = open_dossiers.procedure.field.name
    assert any(r[0] == commune_a.name and r[2] == field for r in rows[1:])
    assert response.status_code == 302


# --- the public page ---------------------------------------------------------------------------------------------
def test_the_public_page_has_each_units_figures_and_no_personal_data(
    client, stats, open_dossiers, commune_a, commune_b
):
    response = client.get("/cong-khai", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    body = gzip.decompress(response.content) if response.get("Content-Encoding") == "gzip" else response.content
    assert len(gzip.compress(body)) <= 60 * 1024
    html = body.decode()
    assert commune_a.name in html and commune_b.name in html
    assert 'data-testid="public-ranking"' in html and "<svg" in html and "<desc" in html
    assert_svg_numbers(html)
    assert "<script" not in html
    assert open_dossiers.applicant_name not in html and open_dossiers.applicant_phone not in html
    assert open_dossiers.code not in html
    method = page(client, "/cong-khai/cach-tinh")
    for anchor in re.findall(r"/cong-khai/cach-tinh#([a-z0-9-]+)", html):
        assert f'id="{anchor}"' in method, anchor


def test_old_exports_are_pruned_with_their_files(leader):
    from django.core.files.base import ContentFile

    old = ExportJob.objects.create(requested_by=leader, table="officers", fmt="csv", status="done")
    old.file.save("cu.csv", ContentFile(b"a"), save=True)
    ExportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=8))
    fresh = ExportJob.objects.create(requested_by=leader, table="officers", fmt="csv")
    storage, name = old.file.storage, old.file.name
    assert exports.exports_prune() == 1
    assert list(ExportJob.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not storage.exists(name)


def test_the_pages_show_the_selectors_numbers(
    client, stats, leader, province_admin, open_dossiers, commune_a, province
):
    """The page prints what the stats selectors compute (the API and /cong-khai use the same functions)."""
    from motcua.reports.charts import summary_figures
    from motcua.reports.selectors import period_from

    period = period_from({})
    client.force_login(leader)
    html = page(client, f"/can-bo/so-lieu/{commune_a.code}")
    shown = dict(re.findall(r'data-metric="([a-z_.]+)">(\d+)<', html))
    expected = summary_figures(stats.summary(units=[commune_a], date_from=period.date_from, date_to=period.date_to))
    assert shown == {f.metric: str(f.value) for f in expected}
    assert shown["in_progress"] == "3"
    public = page(client, "/cong-khai")
    ranked = stats.units_ranked(parent=province, date_from=period.date_from, date_to=period.date_to)
    for row in ranked:
        assert re.search(rf"{row['unit'].name}</th>.*?data-label=\"Hồ sơ\">{row['received']}<", public, re.S)


def test_the_province_page_costs_the_same_with_more_communes(client, stats, province_admin, province, catalog):
    from motcua.places.models import UnitType

    from .conftest import make_unit

    client.force_login(province_admin)
    url = f"/can-bo/so-lieu/{province.code}"
    make_unit("90001", "Xã Một", UnitType.COMMUNE, province)
    page(client, url)

    def cost():
        with CaptureQueriesContext(connection) as ctx:
            page(client, url)
        return len(ctx.captured_queries)

    few = cost()
    for n in range(2, 8):
        make_unit(f"9000{n}", f"Xã Số {n}", UnitType.COMMUNE, province)
    # The first page after a change to the units reads the officer's grants again (core.confcache); the next
    # ones cost what they cost before, whatever the number of communes.
    page(client, url)
    assert cost() == few


def test_the_pages_in_english(client, stats, leader, open_dossiers, commune_a, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(leader)
    html = page(client, f"/can-bo/so-lieu/{commune_a.code}")
    for text in ("Figures of Xã Bắc Hà", "Applications in progress by officer", "Trend over 12 months",
                 "Citizens’ ratings", "how it is computed", "Not assigned"):  # fmt: skip
        assert text in html, text
    assert_svg_numbers(html)
    public = page(client, "/cong-khai")
    assert "Public results of administrative procedures" in public and "Each commune and ward" in public


@pytest.mark.parametrize("table", ["ranking", "procedures", "monthly", "officers", "ratings", "index766"])
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_every_dashboard_table_downloads(client, stats, province_admin, open_dossiers, province, commune_a, table, fmt):
    from motcua.dossiers.services.public import dossier_rate

    done = DossierFactory(returned=True, office=open_dossiers.office)
    dossier_rate(citizen=done.citizen, code=done.code, score=4, comment="=1+1 nhanh")
    client.force_login(province_admin)
    unit = province if table == "ranking" else commune_a
    response = client.get(f"/can-bo/so-lieu/{unit.code}?bang={table}&dang={fmt}&tu=01/01/2026&den=31/12/2026")
    assert response.status_code == 200, table
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet.max_row >= 2 and "/" not in sheet.title
    else:
        assert len(list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))) >= 2


def test_the_public_page_is_not_shared_through_caches(client, stats, leader, open_dossiers):
    """A signed-in visitor's copy carries their menu and a CSRF token: no proxy may hand it to someone else."""
    client.force_login(leader)
    response = client.get("/cong-khai")
    assert response.status_code == 200
    assert "public" not in response.get("Cache-Control", "")


def test_a_double_click_on_a_long_export_follows_the_job_already_asked_for(client, stats, leader, commune_a):
    """Two posts of the same export while the first is still queued make one job; once it is built, asking
    again makes a fresh file."""
    client.force_login(leader)
    form = {"bang": "dossiers", "unit": commune_a.code, "metric": "in_progress", "dang": "csv"}
    first, second = client.post("/can-bo/xuat", form), client.post("/can-bo/xuat", form)
    job = ExportJob.objects.get()
    assert first.url == second.url == f"/can-bo/xuat/{job.pk}"
    ExportJob.objects.filter(pk=job.pk).update(status="done")
    client.post("/can-bo/xuat", form)
    assert ExportJob.objects.count() == 2
