"""Every API error is {code, message, fields} in Vietnamese, one code and status per kind: a body that is
not JSON, pydantic's own validation errors (never its English text), out-of-range paging, a date that
does not exist, a number that is not one."""

import pytest

from motcua.api.errors import _messages, validation_message


def _error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"} and body["code"] == code
    return body


def _english(text: str) -> bool:
    return any(word in text for word in ("should", "Input", "Cannot", "parse", "valid ", "Field required"))


@pytest.mark.django_db
@pytest.mark.parametrize("raw", [b'{"username":"congdan1",', b"\xff\xfe", b"{not json", b"[1, 2"])
def test_body_that_is_not_json_is_bad_json(client, raw):
    body = _error(client.post("/api/v1/auth/login", data=raw, content_type="application/json"), 400, "bad_json")
    assert "JSON" in body["message"] and not _english(body["message"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field", "expected"),
    [
        ({"username": "x" * 5000, "password": "p"}, "username", "tối đa"),
        ({"username": ["a"], "password": "p"}, "username", "đoạn chữ"),
        ({"password": "p"}, "username", "bắt buộc"),
        ({"username": "congdan1", "password": "p" * 5000}, "password", "tối đa 4096 ký tự"),
        ({"username": "congdan1", "password": 12}, "password", "đoạn chữ"),
    ],
)
def test_pydantic_errors_are_vietnamese_with_the_field(client, payload, field, expected):
    response = client.post("/api/v1/auth/login", data=payload, content_type="application/json")
    body = _error(response, 422, "invalid")
    assert field in body["fields"], body
    texts = " ".join(body["fields"][field])
    assert expected in texts and not _english(texts)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page_size": 100000}, "page_size"),
        ({"page_size": 0}, "page_size"),
        ({"page": 0}, "page"),
        ({"page": "abc"}, "page"),
    ],
)
def test_paging_out_of_range_is_one_kind(client, params, field):
    body = _error(client.get("/api/v1/procedures", params), 422, "invalid")
    assert field in body["fields"] and not _english(" ".join(body["fields"][field]))


@pytest.mark.django_db
def test_calendar_impossible_date_names_the_field(client):
    response = client.get("/api/v1/calendar/due", {"received": "2026-02-30T10:00", "working_days": 3})
    body = _error(response, 422, "invalid_date")
    assert "received" in body["fields"]


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "NaN"])
def test_calendar_not_a_number(client, value):
    response = client.get("/api/v1/calendar/due", {"received": "2026-02-13T10:00", "working_hours": value})
    body = _error(response, 422, "invalid")
    assert "Không phải là một số" in " ".join(body["fields"]["working_hours"])


def test_every_known_type_has_vietnamese_text_and_unknown_falls_back():
    for kind in _messages():
        text = validation_message({"type": kind, "msg": "English", "ctx": {}})
        assert text and not _english(text)
    assert validation_message({"type": "some_new_type", "msg": "Value error, something"}) == "Giá trị chưa đúng"
    assert validation_message({"type": "string_too_long", "ctx": {"max_length": 4096}}) == (
        "Dài quá: tối đa 4096 ký tự"
    )
    assert validation_message({"type": "invalid_input", "msg": "Trang phải từ 1"}) == "Trang phải từ 1"


@pytest.mark.django_db
def test_assistant_question_too_long_is_a_validation_error(client):
    response = client.post("/api/v1/assistant/messages", {"text": "a" * 501}, content_type="application/json")
    assert "text" in _error(response, 422, "invalid")["fields"]
