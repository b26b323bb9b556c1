from unittest import mock

from django.db.utils import OperationalError


def test_healthz_ok(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_is_down(client, db):
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def test_home_page_is_vietnamese_and_small(client, office_a):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="vi")
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="vi">' in body
    assert "Bộ phận Một cửa UBND xã Bắc Hà" in body
    assert "0912 000 101" in body
    assert len(response.content) < 60_000


def test_english_is_available_when_chosen(client, db):
    # The phone's language alone does not switch a Vietnamese public service to English…
    assert '<html lang="vi">' in client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # …the visitor's choice does.
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get("/")
    body = response.content.decode()
    assert '<html lang="en">' in body and response["Content-Language"] == "en"
    assert "What do you need to do?" in body and "Sign in" in body


def test_404_page_is_vietnamese(client, db):
    response = client.get("/khong-co-trang-nay")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_account_page_requires_login(client, db):
    response = client.get("/tai-khoan")
    assert response.status_code == 302
    assert response["Location"].startswith("/dang-nhap")


def test_account_page_masks_the_citizen_id(client, citizen):
    client.force_login(citizen)
    body = client.get("/tai-khoan").content.decode()
    assert "010******345" in body and "010190012345" not in body
    assert "Thôn Na Hối, Xã Bắc Hà, Tỉnh Lào Cai" in body


def test_admin_uses_the_platform_login(client, db):
    response = client.get("/quan-tri/login/")
    assert response.status_code == 302
    assert response["Location"].startswith("/dang-nhap?next=")


def test_admin_is_closed_to_officers_without_staff_flag(client, intake_a):
    client.force_login(intake_a)
    response = client.get("/quan-tri/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/dang-nhap?next=")


def test_csrf_is_enforced(db, citizen):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/dang-nhap", {"identifier": "congdan1", "password": "x"})
    assert response.status_code == 403
    assert "Trang đã hết hạn" in response.content.decode()
