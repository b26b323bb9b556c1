"""Issue 19, point 4: the inbox shows the in-app messages written for a person — a count in the header,
a paginated list, read/unread, a link to the dossier — on the portal and at GET /api/v1/inbox; nobody
reads another person's messages."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.accounts.models import Role
from motcua.dossiers.services import dossier_submit
from motcua.notifications.models import InAppMessage

from .conftest import BIRTH_FORM, documents_for


def _messages(user, n: int, read: int = 0):
    rows = [InAppMessage(user=user, title=f"Tin {i}", body=f"Nội dung {i}", url=f"/ho-so/X-{i}") for i in range(n)]
    InAppMessage.objects.bulk_create(rows)
    if read:
        ids = list(InAppMessage.objects.filter(user=user).order_by("pk").values_list("pk", flat=True)[:read])
        InAppMessage.objects.filter(pk__in=ids).update(read_at="2026-11-30T08:00:00+07:00")


def test_a_submitted_dossier_lands_in_the_citizens_inbox_linked_to_its_page(
    client, catalog, citizen, office_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dossier, _ = dossier_submit(
            citizen=citizen, procedure_code="1.001193", form=BIRTH_FORM, attachment_ids=documents_for(citizen)
        )
    message = InAppMessage.objects.get(user=citizen)
    assert dossier.code in message.title and message.url == f"/ho-so/{dossier.code}" and message.read_at is None
    client.force_login(citizen)
    home = client.get("/").content.decode()
    assert 'data-testid="inbox-unread">1<' in home
    page = client.get("/hop-thu").content.decode()
    assert message.title in page and 'data-read="0"' in page
    opened = client.get(f"/hop-thu/{message.pk}").content.decode()
    assert f'href="/ho-so/{dossier.code}"' in opened
    message.refresh_from_db()
    assert message.read_at is not None
    assert 'data-testid="inbox-unread"' not in client.get("/").content.decode()


def test_the_list_is_paginated_and_marks_read_one_or_all(client, citizen):
    _messages(citizen, 25, read=3)
    client.force_login(citizen)
    first = client.get("/hop-thu").content.decode()
    assert first.count('data-testid="inbox-item"') == 20 and "Tin 24" in first and "Tin 4" not in first
    assert 'data-testid="unread-summary">Bạn có 22 tin nhắn chưa đọc.' in first
    second = client.get("/hop-thu?trang=2").content.decode()
    assert second.count('data-testid="inbox-item"') == 5 and "Tin 0" in second
    newest = InAppMessage.objects.filter(user=citizen).order_by("-pk").first()
    assert client.post(f"/hop-thu/{newest.pk}/da-doc").status_code == 302
    assert InAppMessage.objects.filter(user=citizen, read_at__isnull=True).count() == 21
    client.post("/hop-thu/da-doc")
    assert not InAppMessage.objects.filter(user=citizen, read_at__isnull=True).exists()


def test_nobody_opens_or_marks_another_persons_message(client, citizen, make_officer, commune_a, settings, api_token):
    settings.OFFICER_TOTP_REQUIRED = False
    _messages(citizen, 1)
    theirs = InAppMessage.objects.get(user=citizen)
    officer = make_officer("lanhdao", Role.LEADER, commune_a)
    client.force_login(officer)
    assert client.get(f"/hop-thu/{theirs.pk}").status_code == 404
    assert client.post(f"/hop-thu/{theirs.pk}/da-doc").status_code == 404
    assert "Tin 0" not in client.get("/hop-thu").content.decode()
    token = api_token(officer)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    answer = client.post(f"/api/v1/inbox/{theirs.pk}/read", **auth)
    assert answer.status_code == 404 and answer.json()["code"] == "not_found"
    assert client.get("/api/v1/inbox", **auth).json()["results"] == []
    client.post("/api/v1/inbox/read-all", **auth)
    theirs.refresh_from_db()
    assert theirs.read_at is None
    # Anonymous: the page asks to log in; the API answers 401.
    client.logout()
    assert client.get("/hop-thu").status_code == 302
    assert client.get("/api/v1/inbox").status_code == 401


def test_api_lists_pages_and_marks_read(client, citizen, api_token):
    _messages(citizen, 5, read=1)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token(citizen)}"}
    first = client.get("/api/v1/inbox?page_size=2", **auth).json()
    assert (
        first["unread"] == 4
        and first["has_next"] is True
        and [m["title"] for m in first["results"]] == ["Tin 4", "Tin 3"]
    )
    last = client.get("/api/v1/inbox?page_size=2&page=3", **auth).json()
    assert last["has_next"] is False and last["results"][0]["title"] == "Tin 0" and last["results"][0]["read_at"]
    target = first["results"][0]["id"]
    read = client.post(f"/api/v1/inbox/{target}/read", **auth)
    assert read.status_code == 200 and read.json()["read_at"]
    again = client.post(f"/api/v1/inbox/{target}/read", **auth).json()
    assert again["read_at"] == read.json()["read_at"]  # the first reading time is kept
    assert client.post("/api/v1/inbox/read-all", **auth).json() == {"marked": 3}
    bad = client.get("/api/v1/inbox?page_size=500", **auth)
    assert bad.status_code == 422 and bad.json()["code"] == "invalid"


def test_the_header_count_is_one_query_whatever_the_inbox_size(client, catalog, citizen):
    client.force_login(citizen)
    client.get("/")

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/").status_code == 200
        return len([q for q in ctx.captured_queries if "notifications_inappmessage" in q["sql"]])

    _messages(citizen, 3)
    assert queries() == 1
    _messages(citizen, 60)
    assert queries() == 1
    # Anonymous visitors cost nothing.
    client.logout()
    assert queries() == 0


def test_a_feedback_notice_lands_in_the_inbox_linked_to_the_item(client, catalog, citizen, office_a):
    from motcua.feedback.services import feedback_submit

    item = feedback_submit(category="service", subject="Chờ lâu", text="Phải chờ hai giờ ở quầy.", sender=citizen)
    message = InAppMessage.objects.get(user=citizen)
    assert item.code in message.title
    client.force_login(citizen)
    opened = client.get(f"/hop-thu/{message.pk}").content.decode()
    assert f'href="{message.url}"' in opened and item.code in message.url
    assert client.get(message.url).status_code == 200  # the link opens the citizen's own item
