"""Reads for feedback, scoped through the one door (`Feedback.objects.visible_to`): the sender's own items,
the items of the units an officer serves. Missing and not visible are the same NotFound."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.selectors import units_in_scope
from motcua.calendars.engine import remaining
from motcua.calendars.selectors import calendar_for_unit
from motcua.core.errors import NotFound
from motcua.core.inputs import parse_uuid

from .models import Feedback
from .services import actor_roles, feedback_refusal
from .workflow import feedback_workflow

WORKLIST_VIEWS = ("mine", "unassigned", "open", "overdue", "closed")


def feedback_get(*, user, code: str) -> Feedback:
    fb = (
        Feedback.objects.visible_to(user)
        .select_related(
            "unit", "procedure", "dossier", "assigned_to", "sender", "transferred_from__unit", "transferred_to__unit"
        )
        .filter(code=code)
        .first()
    )
    if fb is None:
        raise NotFound(_("Không tìm thấy phản ánh này"))
    return fb


def feedback_confirmed_by_visitor(*, phone: str, subject: str, text: str, within: dt.timedelta) -> Feedback | None:
    """The item a visitor's confirmed code just made (the confirm page asks when a second click finds the code
    used): the newest item without an account from that phone with that subject and text, made within
    ``within``. Only the confirm page calls it, with what its own session holds."""
    return (
        Feedback.objects.filter(
            sender__isnull=True,
            phone=phone,
            subject=subject,
            text=text,
            created_at__gte=timezone.now() - within,
        )
        .order_by("-created_at")
        .only("code", "due_at")
        .first()
    )


def feedback_events(fb: Feedback):
    """The item's log in order, each event with ``action_label`` (the workflow's words, translated)."""
    workflow = feedback_workflow(fb.workflow)
    events = list(fb.events.select_related("actor").order_by("seq"))
    for event in events:
        event.action_label = _(workflow.event_label(event.action))
    return events


def feedback_attachments(fb: Feedback):
    return list(fb.attachments.all())


def feedback_attachment_get(*, user, feedback_code: str, attachment_id) -> object:
    fb = feedback_get(user=user, code=feedback_code)
    row = fb.attachments.filter(pk=attachment_id).first()
    if row is None:
        raise NotFound(_("Không tìm thấy tệp này"))
    return row


def feedback_actions(*, user, feedback: Feedback, now: dt.datetime | None = None) -> list:
    """The workflow actions this user may take on this item now (the buttons): the same checks as the
    service, so a button is never shown for an action it would refuse."""
    now = now or timezone.now()
    workflow = feedback_workflow(feedback.workflow)
    roles = actor_roles(user=user, feedback=feedback)
    cal = calendar_for_unit(feedback.unit)
    return [
        a
        for a in workflow.available(feedback.status, roles)
        if feedback_refusal(feedback=feedback, action=a, user_id=user.pk, now=now, calendar=cal) is None
        and not (a.guards and "publish_consent" in a.guards and not feedback.publish_consent)
    ]


def feedback_status_label(fb: Feedback, *, citizen: bool) -> str:
    state = fb.state
    if state is None:
        return fb.status
    return _(state.citizen_label if citizen else state.label)


def feedback_remaining_text(fb: Feedback, *, now: dt.datetime | None = None) -> str:
    """ "còn 2 ngày 3 giờ" / "quá hạn 1 ngày" to the current deadline, in working time; "" when closed/paused."""
    if not fb.is_open or fb.paused_at:
        return ""
    due = fb.publish_due_at if fb.answered_at else fb.due_at
    return remaining(calendar_for_unit(fb.unit), now=now or timezone.now(), due_at=due).text()


def feedback_worklist(*, user, view: str = "open", now: dt.datetime | None = None) -> QuerySet[Feedback]:
    """Items of the units the officer serves: "mine" (assigned to them), "unassigned", "open", "overdue",
    "closed"; oldest deadline first."""
    now = now or timezone.now()
    units = units_in_scope(user=user)
    qs = Feedback.objects.visible_to(user).filter(unit__in=units).select_related("assigned_to", "unit")
    if view == "mine":
        qs = qs.filter(is_open=True, assigned_to=user)
    elif view == "unassigned":
        qs = qs.filter(is_open=True, assigned_to__isnull=True)
    elif view == "overdue":
        # Past the current deadline: the answer's, or the publication's once answered.
        qs = qs.filter(is_open=True, paused_at__isnull=True).filter(
            Q(answered_at__isnull=True, due_at__lt=now) | Q(answered_at__isnull=False, publish_due_at__lt=now)
        )
    elif view == "closed":
        return qs.filter(is_open=False).order_by("-finished_at")
    else:
        qs = qs.filter(is_open=True)
    return qs.order_by("due_at", "pk")


def feedback_of_sender(*, user) -> QuerySet[Feedback]:
    if not getattr(user, "is_authenticated", False):
        return Feedback.objects.none()
    return Feedback.objects.filter(sender=user).order_by("-created_at")


def feedback_published(*, limit: int = 50, offset: int = 0) -> list[Feedback]:
    """The public page: answered items whose sender agreed, newest first; only the anonymised fields are
    meant to be shown (public_subject, public_text, public_answer, category, dates, unit)."""
    return list(
        Feedback.objects.published()
        .select_related("unit")
        .only(
            "code",
            "category",
            "public_subject",
            "public_text",
            "public_answer",
            "published_at",
            "answered_at",
            "received_at",
            "due_at",
            "unit__name",
            "rating_score",
        )
        .order_by("-published_at")[offset : offset + limit]
    )


def feedback_public_get(*, code: str) -> Feedback:
    fb = Feedback.objects.published().select_related("unit").filter(code=code).first()
    if fb is None:
        raise NotFound(_("Không tìm thấy phản ánh này"))
    return fb


def attachments_pending(*, ids) -> list:
    """Files uploaded with a form whose sender still had to confirm their phone (ids kept in their session)."""
    from .models import FeedbackAttachment

    pks = [u for u in map(parse_uuid, ids or []) if u]
    return list(FeedbackAttachment.objects.filter(pk__in=pks, feedback__isnull=True))


def dossier_named_by(*, user, phone: str = "", code: str):
    """The dossier a sender may name: their own (signed in, through the dossier door), or one filed with the
    phone they just confirmed. None otherwise: a stranger's dossier and a missing one look the same."""
    from motcua.dossiers.models import DRAFT, Dossier

    code = (code or "").strip()
    if not code:
        return None
    if getattr(user, "is_authenticated", False):
        return Dossier.objects.visible_to(user).exclude(status=DRAFT).filter(code=code).first()
    if phone:
        return Dossier.objects.exclude(status=DRAFT).filter(code=code, applicant_phone=phone).first()
    return None


def ratings_recent_for_unit(*, unit, limit: int = 20, with_comment: bool = True) -> list[dict]:
    """Recent ratings in a unit and the units below it, newest first, for the leader's dashboard: dossier
    ratings (after a result; online or from the receipt's QR code) and ratings of feedback answers. Each row:
    {"kind": "dossier"|"feedback", "code", "score", "comment", "at"}. ``with_comment`` keeps only those with
    a reason written."""
    from motcua.dossiers.models import Rating

    ratings = Rating.objects.filter(dossier__unit__path__startswith=unit.path).select_related("dossier")
    answers = Feedback.objects.filter(unit__path__startswith=unit.path, rated_at__isnull=False)
    if with_comment:
        ratings = ratings.exclude(comment="")
        answers = answers.exclude(rating_comment="")
    rows = [
        {"kind": "dossier", "code": r.dossier.code, "score": r.score, "comment": r.comment, "at": r.created_at}
        for r in ratings.order_by("-created_at")[:limit]
    ] + [
        {"kind": "feedback", "code": f.code, "score": f.rating_score, "comment": f.rating_comment, "at": f.rated_at}
        for f in answers.order_by("-rated_at")[:limit]
    ]
    return sorted(rows, key=lambda row: row["at"], reverse=True)[:limit]


def dossier_for_rating(*, code: str, token: str):
    """The dossier a receipt's rating token opens (NotFound for a wrong pair): what the rating page shows is
    the code, the procedure and whether a result was returned — nothing personal."""
    from motcua.dossiers.services import dossier_for_rating_token

    return dossier_for_rating_token(code=code, token=token)


def dossier_rating(*, dossier):
    from motcua.dossiers.models import Rating

    return Rating.objects.filter(dossier=dossier).first()


def personal_feedback_export(user) -> list[dict]:
    """The person's feedback items for their personal-data export (accounts.privacy, Decree 13/2023/NĐ-CP
    Art. 14), oldest first: [{"code", "category", "subject", "text", "unit", "status", "created_at" (ISO 8601,
    local time), "answer"}]. One query."""
    from motcua.core import clock

    return [
        {
            "code": fb.code,
            "category": fb.category,
            "subject": fb.subject,
            "text": fb.text,
            "unit": fb.unit.name,
            "status": fb.status,
            "created_at": clock.iso(fb.created_at),
            "answer": fb.answer,
        }
        for fb in Feedback.objects.filter(sender=user).select_related("unit").order_by("created_at")
    ]
