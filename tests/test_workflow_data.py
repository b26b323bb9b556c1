"""The workflow file decides (issue 15, point 1): a test-only workflow (tests/workflows/review2-1.json)
adds a second appraisal between `appraise` and `approve`; the officer pages and the API carry a dossier
through it with no Python change. Also: every text of the shipped workflows has an English line, every
notice they name exists, and a guard named by the data is enforced (fail closed until registered)."""

import glob
import json
from pathlib import Path

import pytest
from django.conf import settings

from motcua.catalog.models import Procedure
from motcua.core.errors import NotAllowed
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import dossier_submit, dossier_transition
from motcua.dossiers.workflow import load_workflow, register_guard, unregister_guard
from motcua.notifications.templates import TEMPLATES

from .conftest import BIRTH_FORM, advance, documents_for

TEST_WORKFLOWS = Path(__file__).parent / "workflows"


@pytest.fixture
def review2(settings, catalog):
    settings.WORKFLOW_DIRS = [str(TEST_WORKFLOWS)]
    Procedure.objects.filter(code="1.001193").update(workflow="review2@1")
    return load_workflow("review2@1")


def _page_action(client, dossier, action, **fields):
    fresh = Dossier.objects.get(pk=dossier.pk)
    data = {"action": action, "version": fresh.version, "note": "Đồng ý", **fields}
    return client.post(f"/can-bo/ho-so/{fresh.code}/thao-tac", data)


def test_an_extra_action_works_in_pages_and_api_without_python(
    review2, client, citizen, office_a, staff, api_token, django_capture_on_commit_callbacks
):
    dossier, _ = dossier_submit(
        citizen=citizen, procedure_code="1.001193", form=BIRTH_FORM, attachment_ids=documents_for(citizen)
    )
    assert dossier.workflow == "review2@1"
    # Pages: intake accepts and assigns, the specialist appraises.
    client.force_login(staff["tiepnhan"])
    assert _page_action(client, dossier, "accept").status_code == 302
    assert _page_action(client, dossier, "assign", assignee="chuyenvien").status_code == 302
    client.force_login(staff["chuyenvien"])
    assert _page_action(client, dossier, "appraise").status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == "second_review"
    # The leader's page offers the new action, with the note its data asks for, and no plain approval yet.
    client.force_login(staff["lanhdao"])
    page = client.get(f"/can-bo/ho-so/{dossier.code}").content.decode()
    assert 'value="appraise_again"' in page and "Ý kiến thẩm định lần hai" in page
    assert 'value="approve"' not in page and "Chờ thẩm định lần hai" in page
    # Its note is required, as the data says.
    assert _page_action(client, dossier, "appraise_again", note="").status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == "second_review"
    assert _page_action(client, dossier, "appraise_again", note="Hồ sơ đủ điều kiện").status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == "appraised"
    # The API carries it on to the end.
    token = api_token(staff["lanhdao"])
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    for action, who, extra in (("approve", "lanhdao", {}), ("sign", "lanhdao", {"confirm": True})):
        token = api_token(staff[who])
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        answer = client.post(
            f"/api/v1/dossiers/{dossier.code}/transitions",
            {"action": action, "version": Dossier.objects.get(pk=dossier.pk).version, **extra},
            content_type="application/json",
            **headers,
        )
        assert answer.status_code == 200, answer.content
    dossier.refresh_from_db()
    assert dossier.status == "signed" and dossier.results.count() == 1
    labels = [e.action for e in dossier.events.order_by("seq")]
    assert labels == ["submit", "accept", "assign", "appraise", "appraise_again", "approve", "sign"]
    # The officer timeline labels the new event from the data.
    client.force_login(staff["lanhdao"])
    assert "Thẩm định lần hai" in client.get(f"/can-bo/ho-so/{dossier.code}").content.decode()


def test_api_refuses_the_extra_action_in_the_wrong_state(review2, citizen, office_a, staff):
    dossier, _ = dossier_submit(
        citizen=citizen, procedure_code="1.001193", form=BIRTH_FORM, attachment_ids=documents_for(citizen)
    )
    with pytest.raises(NotAllowed) as refused:
        dossier_transition(code=dossier.code, action="appraise_again", actor=staff["lanhdao"], version=1, note="x")
    assert refused.value.code == "invalid_state"


def test_a_guard_named_by_the_data_refuses_until_registered_and_then_decides(
    review2, citizen, office_a, staff, tmp_path, settings
):
    data = json.loads((TEST_WORKFLOWS / "review2-1.json").read_text(encoding="utf-8"))
    data["key"] = "paid"
    data["actions"]["accept"]["requires_payment"] = True
    (tmp_path / "paid-1.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    settings.WORKFLOW_DIRS = [str(tmp_path)]
    Procedure.objects.filter(code="1.001193").update(workflow="paid@1")
    dossier, _ = dossier_submit(
        citizen=citizen, procedure_code="1.001193", form=BIRTH_FORM, attachment_ids=documents_for(citizen)
    )
    assert load_workflow("paid@1").actions["accept"].requires_payment
    from motcua.payments.guards import payment_guard

    unregister_guard("payment")  # the payments app registers its guard at start-up; here nobody has one
    with pytest.raises(NotAllowed) as refused:
        dossier_transition(code=dossier.code, action="accept", actor=staff["tiepnhan"], version=1)
    assert refused.value.code == "guard_unavailable"
    seen = []

    def unpaid(*, dossier, action, actor, params, now):
        seen.append((dossier.code, action.name))
        raise NotAllowed("Chưa nộp phí", code="not_paid")

    register_guard("payment", unpaid)
    try:
        with pytest.raises(NotAllowed) as refused:
            dossier_transition(code=dossier.code, action="accept", actor=staff["tiepnhan"], version=1)
        assert refused.value.code == "not_paid" and seen == [(dossier.code, "accept")]
        register_guard("payment", lambda **context: None)
        assert dossier_transition(code=dossier.code, action="accept", actor=staff["tiepnhan"], version=1).status == (
            "received"
        )
    finally:
        register_guard("payment", payment_guard)


def test_running_dossiers_keep_their_workflow_version(review2, citizen, office_a, staff):
    dossier, _ = dossier_submit(
        citizen=citizen, procedure_code="1.001193", form=BIRTH_FORM, attachment_ids=documents_for(citizen)
    )
    # The procedure moves to another workflow; the dossier already running keeps the one it started with.
    Procedure.objects.filter(code="1.001193").update(workflow="default@1")
    done = advance(
        dossier,
        staff,
        steps=[
            ("accept", "tiepnhan", {}),
            ("assign", "tiepnhan", {"assignee": "chuyenvien"}),
            ("appraise", "chuyenvien", {}),
        ],
    )
    assert done.workflow == "review2@1" and done.status == "second_review"


def _texts(data: dict):
    for section in ("states", "steps", "actions", "events", "params"):
        for item in data.get(section, {}).values():
            for key in ("label", "citizen_label", "event_label", "note_label", "hint", "missing", "once_message"):
                if item.get(key):
                    yield item[key]
            yield from (item.get("choices") or {}).values()


def test_every_shipped_workflow_text_has_an_english_line_and_every_notice_exists():
    import polib

    po = polib.pofile(str(settings.BASE_DIR / "locale" / "en" / "LC_MESSAGES" / "django.po"))
    translated = {e.msgid for e in po if e.msgstr}
    for path in glob.glob(str(settings.BASE_DIR / "motcua" / "dossiers" / "workflows" / "*.json")):
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        missing = [text for text in _texts(data) if text not in translated]
        assert not missing, f"{path}: {missing}"
        workflow = load_workflow(f"{data['key']}@{data['version']}")
        named = {a.notify for a in workflow.actions.values()} | {e.notify for e in workflow.events.values()}
        assert named - {""} <= set(TEMPLATES), f"{path}: unknown notice templates {named - set(TEMPLATES)}"


def test_the_same_day_workflow_takes_a_dossier_to_its_result(catalog, citizen, office_a, staff):
    """The second real workflow: receive, the leader signs, return — no assignment, no appraisal."""
    Procedure.objects.filter(code="1.001193").update(workflow="same-day", step_shares={"sign": 0.5, "return": 0.3})
    dossier, _ = dossier_submit(
        citizen=citizen, procedure_code="1.001193", form=BIRTH_FORM, attachment_ids=documents_for(citizen)
    )
    assert dossier.workflow == "same-day@1"
    done = advance(
        dossier,
        staff,
        steps=[
            ("accept", "tiepnhan", {}),
            ("sign", "lanhdao", {"confirm": True}),
            ("return_result", "tiepnhan", {"method": "counter"}),
        ],
    )
    assert done.status == "returned" and done.outcome == "completed" and done.results.count() == 1
    from motcua.dossiers.selectors import handovers

    # The procedure's own shares (receive keeps the workflow's 0.2): the signing step ends at 70 % of
    # the legal time instead of the workflow's 80 %.
    rows = handovers(done)
    assert [r.step for r in rows] == ["receive", "sign", "return"]
    done.procedure.step_shares = {}
    default_rows = handovers(done)
    assert rows[0].due_at == default_rows[0].due_at and rows[1].due_at < default_rows[1].due_at


def test_a_state_with_its_own_limit_shows_it_to_the_officer(catalog, client, citizen, office_a, staff):
    """`sla_hours` is read: a submitted dossier must be checked within 4 working hours (default@1)."""
    from motcua.dossiers.rules import state_due

    dossier, _ = dossier_submit(
        citizen=citizen, procedure_code="1.001193", form=BIRTH_FORM, attachment_ids=documents_for(citizen)
    )
    events = list(dossier.events.order_by("seq"))
    due = state_due(dossier, events)
    assert due is not None and due > events[-1].created_at
    client.force_login(staff["tiepnhan"])
    assert "xử lý bước này trước" in client.get(f"/can-bo/ho-so/{dossier.code}").content.decode()
    accepted = advance(dossier, staff, steps=[("accept", "tiepnhan", {})])
    assert state_due(accepted, list(accepted.events.order_by("seq"))) is None  # "received" has no own limit
