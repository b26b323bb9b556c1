"""A feedback item transferred to another unit on the platform continues there (issue 19 gap): a new item
with a new clock at the receiving unit, the sender told the new code, the receiving leaders told; to an agency
outside the platform the item simply ends "transferred" with the note naming it."""

import pytest

from motcua.accounts.models import Role
from motcua.core.errors import ValidationFailed
from motcua.feedback.models import Feedback, FeedbackEvent
from motcua.feedback.services import transfer_targets
from motcua.notifications.models import InAppMessage

from .test_feedback import TZ, act, at, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def ctx(catalog, citizen, office_a, office_b, staff, make_officer, commune_b):
    return {"citizen": citizen, "leader_b": make_officer("lanhdao_b", Role.LEADER, commune_b), **staff}


def test_transfer_to_a_commune_on_the_platform_continues_there(ctx, commune_b):
    fb = submit(ctx["citizen"], now=at(2026, 11, 30))
    assert [u.code for u in transfer_targets(feedback=fb)] == [commune_b.code]
    act(fb, "transfer", ctx["lanhdao"], now=at(2026, 12, 1), note="Việc thuộc xã Tả Van", to_unit=commune_b.code)
    fb.refresh_from_db()
    assert fb.status == "transferred" and not fb.is_open
    continued = Feedback.objects.get(transferred_from=fb)
    assert continued.unit == commune_b and continued.status == "received" and continued.is_open
    assert continued.code != fb.code and continued.sender == fb.sender and continued.text == fb.text
    # A new clock at the receiving unit: 15 working days from Tuesday 01/12/2026 → Tuesday 22/12/2026.
    assert continued.due_at.astimezone(TZ) == at(2026, 12, 22, 17, 0)
    assert list(continued.events.values_list("action", flat=True)) == ["transfer_in"]
    event = FeedbackEvent.objects.get(feedback=fb, action="transfer")
    assert event.data["transferred_to"] == continued.code and event.data["to_unit"] == commune_b.code
    told = InAppMessage.objects.filter(user=ctx["citizen"]).order_by("-pk").first()
    assert continued.code in told.body and commune_b.name in told.body
    assert InAppMessage.objects.filter(user=ctx["leader_b"], title__contains=continued.code).exists()


def test_a_unit_without_a_leader_is_not_offered(ctx, commune_b, make_officer):
    fb = submit(ctx["citizen"], now=at(2026, 11, 30))
    ctx["leader_b"].is_active = False
    ctx["leader_b"].save(update_fields=["is_active"])
    make_officer("tiepnhan_b2", Role.INTAKE_OFFICER, commune_b)  # staff, but nobody to assign the item
    assert transfer_targets(feedback=fb) == []
    with pytest.raises(ValidationFailed) as caught:
        act(fb, "transfer", ctx["lanhdao"], now=at(2026, 12, 1), note="Chuyển", to_unit=commune_b.code)
    assert caught.value.code == "to_unit_invalid"


def test_transfer_outside_the_platform_only_ends_the_item(ctx):
    fb = submit(ctx["citizen"], now=at(2026, 11, 30))
    act(fb, "transfer", ctx["lanhdao"], now=at(2026, 12, 1), note="Chuyển Công an huyện")
    fb.refresh_from_db()
    assert fb.status == "transferred" and not Feedback.objects.filter(transferred_from=fb).exists()


@pytest.mark.parametrize("code", ["02839", "99999", "' OR 1=1"])
def test_its_own_unit_or_an_unknown_one_is_refused_and_nothing_is_written(ctx, code):
    fb = submit(ctx["citizen"], now=at(2026, 11, 30))
    with pytest.raises(ValidationFailed) as caught:
        act(fb, "transfer", ctx["lanhdao"], now=at(2026, 12, 1), note="Chuyển", to_unit=code)
    assert caught.value.code == "to_unit_invalid" and "to_unit" in caught.value.fields
    fb.refresh_from_db()
    assert fb.status == "received" and Feedback.objects.count() == 1


def test_the_leaders_page_offers_the_units_and_the_transfer_works(ctx, client, commune_b):
    fb = submit(ctx["citizen"], now=at(2026, 11, 30))
    client.force_login(ctx["lanhdao"])
    page = client.get(f"/can-bo/phan-anh/{fb.code}").content.decode()
    assert 'name="to_unit"' in page and f'value="{commune_b.code}"' in page
    answer = client.post(
        f"/can-bo/phan-anh/{fb.code}/thao-tac",
        {"action": "transfer", "version": 1, "note": "Việc của xã bạn", "to_unit": commune_b.code},
    )
    assert answer.status_code == 302
    continued = Feedback.objects.get(transferred_from=fb)
    sent = client.get(f"/can-bo/phan-anh/{fb.code}").content.decode()
    assert 'data-testid="transferred-to"' in sent and continued.code in sent and commune_b.name in sent
    client.force_login(ctx["leader_b"])
    there = client.get(f"/can-bo/phan-anh/{continued.code}").content.decode()
    assert 'data-testid="transferred-from"' in there and fb.code in there
    client.force_login(ctx["citizen"])
    mine = client.get(f"/phan-anh/{fb.code}").content.decode()
    assert 'data-testid="transferred-to"' in mine and continued.code in mine
