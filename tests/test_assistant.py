import json

import pytest

from motcua.catalog.assistant import assistant_answer


def test_confident_answer_names_procedure_documents_time_fee_link(catalog):
    answer = assistant_answer("con tôi mới sinh, làm giấy khai sinh thế nào", hotline="0912 000 101")
    assert answer.confident
    assert answer.procedure["code"] == "1.001193"
    assert "Giấy chứng sinh" in answer.text and "Trong ngày" in answer.text and "Miễn phí" in answer.text
    assert "/thu-tuc/1.001193" in answer.text
    assert len(answer.alternatives) == 2


def test_unsure_answer_says_so_and_gives_the_hotline(catalog):
    answer = assistant_answer("hôm nay trời đẹp quá", hotline="0912 000 101")
    assert not answer.confident
    assert "chưa chắc" in answer.text and "0912 000 101" in answer.text


def test_api_messages(client, catalog, office_a):
    response = client.post("/api/v1/assistant/messages", {"text": "xin giấy độc thân"}, content_type="application/json")
    body = response.json()
    assert response.status_code == 200 and body["confident"] and body["procedure"]["code"] == "1.004873"
    assert body["hotline"] == "0912 000 101"
    bad = client.post("/api/v1/assistant/messages", {}, content_type="application/json")
    assert bad.status_code == 422 and "text" in bad.json()["fields"]


def test_zalo_channel(client, catalog):
    event = {"event_name": "user_send_text", "sender": {"id": "u123"}, "message": {"text": "công chứng bản sao"}}
    response = client.post("/api/v1/assistant/channels/zalo", event, content_type="application/json")
    body = json.loads(response.content)
    assert body["recipient"] == {"user_id": "u123"}
    assert "2.000815" in body["message"]["text"]


def test_sms_channel_replies_without_diacritics(client, catalog):
    response = client.post(
        "/api/v1/assistant/channels/sms",
        "from=0912345001&text=dang+ky+tam+tru",
        content_type="application/x-www-form-urlencoded",
    )
    text = response.content.decode()
    assert response.status_code == 200 and "1.004194" in text
    assert text.isascii()
    assert len(text) <= 459


@pytest.mark.parametrize("channel", ["zalo", "sms"])
def test_channel_secret_is_enforced(client, catalog, settings, channel):
    settings.ASSISTANT_CHANNEL_SECRET = "bi-mat"
    response = client.post(f"/api/v1/assistant/channels/{channel}", "{}", content_type="application/json")
    assert response.status_code == 403


def test_unknown_channel_and_bad_payload(client, catalog):
    assert client.post("/api/v1/assistant/channels/fax", "{}", content_type="application/json").status_code == 404
    bad = client.post("/api/v1/assistant/channels/zalo", "{", content_type="application/json")
    assert bad.status_code == 400 and bad.json()["message"]
