import re

import pytest

BUDGET = 60_000


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/tim-kiem?q=giấy+độc+thân",
        "/thu-tuc/1.001193",
        "/thu-tuc/2.000815",
        "/linh-vuc/ho-tich",
        "/lien-he",
        "/tro-ly",
    ],
)
def test_public_pages_render_within_budget(client, catalog, office_a, path):
    response = client.get(path)
    assert response.status_code == 200
    assert len(response.content) < BUDGET
    body = response.content.decode()
    assert body.count("<h1") == 1 and '<html lang="vi">' in body


def test_procedure_page_has_everything_a_citizen_needs(client, catalog, office_a):
    body = client.get("/thu-tuc/2.000815").content.decode()
    for fragment in (
        "Giấy tờ cần mang",
        "Các bước",
        "Thời hạn giải quyết",
        "2.000 ₫/trang",
        "200.000 ₫",
        "0912 000 101",
        "0214 3880 123",
        "<svg",
        "In hướng dẫn này",
        "Nghị định 23/2015/NĐ-CP",
    ):
        assert fragment in body, fragment


def test_unknown_procedure_is_404(client, catalog):
    assert client.get("/thu-tuc/9.999999").status_code == 404
    assert client.get("/linh-vuc/khong-co").status_code == 404


def test_search_results_and_empty_state(client, catalog):
    body = client.get("/tim-kiem", {"q": "công chứng bản sao"}).content.decode()
    found = re.findall(r'href="/thu-tuc/([0-9.]+)"', body)
    # Certifying a copy comes first, before certifying a signature (which shares the word "chứng thực").
    assert found[0] == "2.000815" and "2.000884" in found[1:]
    assert "Không tìm thấy" not in body
    empty = client.get("/tim-kiem", {"q": "xyzzy"}).content.decode()
    assert "Không tìm thấy" in empty and not re.search(r'href="/thu-tuc/[0-9.]+"', empty)


def test_contacts_page_lists_officers_phones(client, catalog, office_a):
    office_a.contacts.create(name="Trần Thị Hương", position="Tư pháp - Hộ tịch", phone="0912 000 112")
    body = client.get("/lien-he").content.decode()
    assert "Trần Thị Hương" in body and "tel:0912000112" in body


def test_assistant_page_works_without_javascript(client, catalog, office_a):
    response = client.post("/tro-ly", {"text": "làm giấy khai sinh cho con"})
    assert response.status_code == 302  # post-redirect-get
    body = client.get("/tro-ly").content.decode()
    assert "làm giấy khai sinh cho con" in body and "1.001193" in body
    client.post("/tro-ly", {"xoa": "1"})
    assert "làm giấy khai sinh cho con" not in client.get("/tro-ly").content.decode()


def test_api_list_search_and_detail(client, catalog):
    listing = client.get("/api/v1/procedures", {"page_size": 10, "page": 2}).json()
    assert listing["count"] == 41 and len(listing["results"]) == 10 and listing["page"] == 2
    ranked = client.get("/api/v1/procedures", {"q": "giay doc than"}).json()["results"]
    assert ranked[0]["code"] == "1.004873" and {"code", "name", "field", "score"} <= set(ranked[0])
    detail = client.get("/api/v1/procedures/2.000815").json()
    assert detail["fee"]["cap"] == 200000 and detail["time"]["kind"] == "same_day"
    assert detail["documents"] and detail["form"]["schema"]["type"] == "object"
    missing = client.get("/api/v1/procedures/9.999999")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    assert client.get("/api/v1/procedures", {"page_size": 1000}).status_code == 422
