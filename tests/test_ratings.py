"""Ratings (issue 19, point 3): a counter citizen rates once from the QR code on the receipt, without logging
in; a second try is refused; the leader's dashboard reads recent ratings with comments through one selector."""

import pytest

from motcua.core.errors import Conflict, NotAllowed, NotFound
from motcua.dossiers.models import Rating
from motcua.dossiers.services import dossier_rate, dossier_rate_by_token, rating_token
from motcua.feedback.selectors import ratings_recent_for_unit
from motcua.feedback.services import feedback_rate, feedback_submit, feedback_transition

from .factories import DossierFactory, walk


@pytest.fixture
def counter_dossier(catalog, citizen, office_a, staff):
    return DossierFactory(citizen=citizen, office=office_a, channel="counter")  # at the counter it starts received


def test_the_receipt_carries_a_rating_link_with_the_token(counter_dossier):
    from motcua.documents.selectors import receipt_latest

    receipt = receipt_latest(dossier=counter_dossier)
    token = rating_token(counter_dossier.code)
    assert receipt.facts["rating_url"].endswith(f"/danh-gia/{counter_dossier.code}/{token}")
    assert token != rating_token(counter_dossier.code + "X") and len(token) == 16


def test_a_counter_citizen_rates_once_with_the_receipt_token(client, counter_dossier):
    token = rating_token(counter_dossier.code)
    url = f"/danh-gia/{counter_dossier.code}/{token}"
    # Before the result: the page says so and the service refuses.
    assert 'data-testid="not-yet"' in client.get(url).content.decode()
    with pytest.raises(NotAllowed):
        dossier_rate_by_token(code=counter_dossier.code, token=token, score=5)
    walk(
        counter_dossier,
        [
            ("assign", "leader", {"assignee": "specialist"}),
            ("appraise", "specialist", {"note": "Đủ"}),
            ("approve", "leader", {}),
            ("sign", "leader", {"confirm": "1"}),
            ("return_result", "intake_officer", {"method": "counter"}),
        ],
    )
    page = client.get(url)
    assert page.status_code == 200 and 'name="score"' in page.content.decode()
    done = client.post(url, {"score": "5", "comment": "Cán bộ hướng dẫn tận tình"})
    assert done.status_code == 302
    rating = Rating.objects.get(dossier=counter_dossier)
    assert (rating.score, rating.comment) == (5, "Cán bộ hướng dẫn tận tình")
    second = client.post(url, {"score": "1", "comment": "Lần hai"})
    assert second.status_code == 409 and 'data-error-code="already_rated"' in second.content.decode()
    with pytest.raises(Conflict) as again:
        dossier_rate_by_token(code=counter_dossier.code, token=token, score=2)
    assert again.value.code == "already_rated"
    # Online too: the same dossier cannot be rated a second way.
    with pytest.raises(Conflict):
        dossier_rate(citizen=counter_dossier.citizen, code=counter_dossier.code, score=3)
    assert Rating.objects.get(dossier=counter_dossier).score == 5


def test_a_wrong_token_is_404(client, counter_dossier):
    assert client.get(f"/danh-gia/{counter_dossier.code}/AAAAAAAAAAAAAAAA").status_code == 404
    assert client.get(f"/danh-gia/KHONG-CO/{rating_token('KHONG-CO')}").status_code == 404
    with pytest.raises(NotFound):
        dossier_rate_by_token(code=counter_dossier.code, token="x" * 16, score=5)


def test_recent_ratings_with_comments_for_a_unit(catalog, citizen, office_a, staff, commune_a, commune_b):
    dossier = DossierFactory(citizen=citizen, office=office_a, returned=True)
    dossier_rate(citizen=citizen, code=dossier.code, score=2, comment="Phải đi lại hai lần")
    quiet = DossierFactory(citizen=citizen, office=office_a, returned=True)
    dossier_rate(citizen=citizen, code=quiet.code, score=5)
    fb = feedback_submit(category="service", subject="Chậm", text="Chờ lâu", sender=citizen)
    feedback_transition(
        code=fb.code, action="assign", actor=staff["lanhdao"], version=1, params={"assignee": "chuyenvien"}
    )
    feedback_transition(code=fb.code, action="answer", actor=staff["chuyenvien"], version=2, note="Đã chấn chỉnh")
    feedback_rate(code=fb.code, user=citizen, score=4, comment="Trả lời rõ")
    rows = ratings_recent_for_unit(unit=commune_a)
    assert [(r["kind"], r["code"], r["score"]) for r in rows] == [
        ("feedback", fb.code, 4),
        ("dossier", dossier.code, 2),
    ]
    assert len(ratings_recent_for_unit(unit=commune_a, with_comment=False)) == 3
    assert ratings_recent_for_unit(unit=commune_b) == []
