"""One-stop forms issued at their events (Circular 01/2018/TT-VPCP forms 01–05; the stop notice of
Circular 03/2025/TT-VPCP). Two steps so signing never holds the database's write lock:

1. `forms_record(...)`, inside the event's transaction: decide which forms the event issues, freeze
   what each will say (`facts`: received documents, times, register entry, reason…) and store a
   pending `IssuedForm` tied to the event;
2. `forms_complete(...)`, after the commit: render the PDF from those facts, sign it, and store it
   with its hash — once (a conditional update decides if two workers race).

A form that was never issued does not exist: downloads serve only stored forms (404 otherwise).
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from motcua.dossiers.services import rating_token

from .models import IssuedForm, RegisterCounter
from .pdf import FORM_TITLES, place_name, prose_name, render_form

log = logging.getLogger(__name__)

RECEIPT = "01"
TRACKING = "kiem-soat"

# Form 01 "Hình thức" column: how the citizen handed each document in.
KIND_LABELS = {
    "original": "Bản chính",
    "copy": "Bản sao",
    "certified_copy": "Bản sao có chứng thực",
    "original_or_copy": "Bản chính hoặc bản sao",
}


def _iso(moment) -> str:
    return moment.isoformat() if moment else ""


def _address(dossier) -> str:
    from motcua.accounts.models import CitizenProfile

    profile = CitizenProfile.objects.select_related("address_unit").filter(user_id=dossier.citizen_id).first()
    if profile is None:
        return ""
    units = [profile.address_unit, *profile.address_unit.ancestors()] if profile.address_unit else []
    return ", ".join(x for x in [profile.street, *[prose_name(u.name) for u in units]] if x)


def _email(dossier) -> str:
    profile = getattr(dossier.citizen, "citizen", None)
    return (profile.email if profile else "") or dossier.citizen.email or ""


def _officer_name(dossier, event) -> str:
    if event.actor_id and event.actor_id != dossier.citizen_id:
        return event.actor.display_name
    return ""


def _received_documents(dossier) -> tuple[list[dict], dict]:
    """Only what was actually handed in, in the catalogue's order: the e-form as the declaration, each
    uploaded document with its number of files, and (at the counter) each paper document the officer
    ticked as received, with the count the catalogue asks for. Documents only shown online or fetched
    from a national database are not received. Also returns what was missing when the officer received
    the dossier anyway (a justified exception)."""
    electronic = dossier.channel == "online"
    by_name: dict[str, int] = {}
    for attachment in dossier.attachments.all():
        name = attachment.document_name or attachment.original_name
        by_name[name] = by_name.get(name, 0) + 1
    paper: set[str] = set()
    exception: dict = {}
    for event in dossier.events.filter(action="receive_at_counter"):
        paper.update(event.data.get("documents_received", []))
        if event.data.get("documents_missing"):
            exception = {"documents": event.data["documents_missing"], "reason": event.data.get("exception", "")}
    rows = []
    for doc in dossier.procedure.documents.order_by("order", "pk"):
        count = by_name.pop(doc.name, 0)
        kind = KIND_LABELS.get(doc.kind, "Bản chụp")
        if doc.template and dossier.form_data:
            # The declaration was filled in as the e-form (online or by the officer at the counter).
            rows.append({"name": doc.name, "form": "Bản điện tử (tờ khai điện tử)", "count": max(count, 1)})
        elif doc.name in paper and doc.kind != "present":
            rows.append({"name": doc.name, "form": f"{kind} (giấy)", "count": max(count, doc.count or 1)})
        elif count:
            rows.append(
                {"name": doc.name, "form": "Bản điện tử" if electronic else f"{kind} (đã số hóa)", "count": count}
            )
    for name, count in by_name.items():
        rows.append({"name": name, "form": "Bản điện tử" if electronic else "Bản chụp (đã số hóa)", "count": count})
    return rows, exception


def _register_entry(dossier, event) -> dict:
    """The dossier's entry in the office's register (Sổ theo dõi hồ sơ, Form 06): assigned once, when
    the first receipt is issued; a later receipt repeats it."""
    earlier = IssuedForm.objects.filter(dossier=dossier, form=RECEIPT).order_by("pk").first()
    if earlier is not None and earlier.facts.get("register"):
        return earlier.facts["register"]
    year = timezone.localtime(event.created_at).year
    RegisterCounter.objects.bulk_create([RegisterCounter(office=dossier.office, year=year)], ignore_conflicts=True)
    counter = RegisterCounter.objects.select_for_update().get(office=dossier.office, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return {"book": f"01/{year}", "number": counter.last}


def _result_place(dossier) -> str:
    office = dossier.office
    counter = office.name + (f", {office.address}" if office.address else "")
    if dossier.channel == "online":
        return f"Trực tuyến (kết quả điện tử trong kho dữ liệu của công dân) hoặc tại {counter}"
    return counter


def form_facts(form: str, dossier, event) -> dict:
    """Everything the form will print, as it stands at the event."""
    from motcua.catalog.selectors import time_text

    office = dossier.office
    facts = {
        "form": form,
        "title": FORM_TITLES[form],
        "code": dossier.code,
        "body": f"Ủy ban nhân dân {prose_name(dossier.unit.name)}",
        "section": office.name,
        "office_phone": office.hotline or office.phone,
        "place": place_name(dossier.unit),
        "applicant": dossier.applicant_name,
        "address": _address(dossier),
        "phone": dossier.applicant_phone,
        "email": _email(dossier),
        "procedure": dossier.procedure.name,
        "procedure_code": dossier.procedure.code,
        "channel": dossier.channel,
        "received_at": _iso(dossier.received_at),
        "due_at": _iso(dossier.due_at),
        "event_at": _iso(event.created_at),
        "event": event.action,
        # Who took the step decides the wording and the signer (forms 03 and 05), not the action's name.
        "actor_role": event.actor_role,
        "officer": _officer_name(dossier, event),
        "note": event.note,
        "tracking_url": settings.SITE_URL + reverse("portal:track") + f"?ma={dossier.code}",
    }
    if form == RECEIPT:
        documents, exception = _received_documents(dossier)
        facts.update(
            documents=documents,
            missing=exception,
            sets=1,
            time=time_text(dossier.procedure),
            fee=dossier.fee_amount,
            result_place=_result_place(dossier),
            register=_register_entry(dossier, event),
            rating_url=settings.SITE_URL
            + reverse("feedback:rate_dossier", args=[dossier.code, rating_token(dossier.code)]),
        )
    elif form == "04":
        facts.update(old_due=event.data.get("old_due", ""), new_due=event.data.get("new_due", _iso(dossier.due_at)))
    elif form == TRACKING:
        from motcua.dossiers.selectors import handovers

        from .pdf import event_label

        facts.update(
            steps=[
                {
                    "label": row.label,
                    "due_at": _iso(row.due_at),
                    "done_at": _iso(row.done_at),
                    "timeliness": row.timeliness,
                }
                for row in handovers(dossier)
            ],
            events=[
                {
                    "at": _iso(e.created_at),
                    "label": event_label(dossier, e),
                    "actor": e.actor.display_name if e.actor_id else "",
                }
                for e in dossier.events.select_related("actor").order_by("seq")
            ],
            timeliness=dossier.get_timeliness_display() if dossier.timeliness else "",
            outcome=dossier.outcome,
        )
    return facts


def forms_record(*, dossier, event, forms: list[str]) -> list[int]:
    """Inside the event's transaction: a pending form per number, with its facts frozen. A new receipt
    (after a supplement) supersedes the earlier one, which is kept. Returns the ids to complete."""
    ids = []
    for form in forms:
        previous = IssuedForm.objects.filter(dossier=dossier, form=form).order_by("-pk").first()
        issued = IssuedForm.objects.create(
            dossier=dossier,
            event=event,
            form=form,
            title=FORM_TITLES[form],
            facts=form_facts(form, dossier, event),
            supersedes=previous,
        )
        ids.append(issued.pk)
    return ids


def _signer(issued: IssuedForm):
    from .services import identity_of

    event = issued.event
    officer = event.actor if event.actor_id and event.actor_id != issued.dossier.citizen_id else None
    identity = identity_of(user=officer) if officer else None
    return identity or identity_of(office=issued.dossier.office)


def form_complete(*, form_id: int) -> IssuedForm:
    """Render and sign a recorded form, outside any write transaction, and store it once."""
    from .pdf import page_count
    from .signing import SigningUnavailable, StampPlacement, sign_pdf

    issued = IssuedForm.objects.select_related("dossier__office", "dossier__unit", "event__actor").get(pk=form_id)
    if issued.is_ready:
        return issued
    pdf = render_form(issued.facts)
    identity = _signer(issued)
    signed = False
    if identity is not None:
        try:
            pdf = sign_pdf(
                pdf,
                identity,
                field_name="ChuKyPhieu",
                reason=issued.title.capitalize(),
                location=issued.dossier.unit.name,
                verify_url=issued.facts.get("tracking_url", ""),
                placement=StampPlacement(page=page_count(pdf) - 1, box=(215, 14, 405, 56)),
            )
            signed = True
        except SigningUnavailable:
            # A form without a signature is still the record of the event; the officer may print and sign.
            log.warning("form %s of %s left unsigned: signing unavailable", issued.form, issued.dossier.code)
    digest = hashlib.sha256(pdf).hexdigest()
    name = f"{issued.dossier.code}-{issued.form}-{issued.pk}.pdf"
    stored = issued.file.storage.save(f"forms/{timezone.localtime():%Y/%m}/{name}", ContentFile(pdf))
    with transaction.atomic():
        won = IssuedForm.objects.filter(pk=issued.pk, sha256="").update(
            file=stored,
            sha256=digest,
            issued_at=timezone.now(),
            signed=signed,
            signer_name=identity.subject if signed else "",
        )
    if not won:
        issued.file.storage.delete(stored)
    issued.refresh_from_db()
    return issued


def forms_complete(ids: list[int]) -> None:
    """After the commit. A failure leaves the form pending; `manage.py forms_issue_pending` (and the
    first download) completes it from the same frozen facts."""
    for form_id in ids:
        try:
            form_complete(form_id=form_id)
        except Exception:  # the event stands; the form is completed later from its frozen facts
            log.exception("issuing form %s failed; left pending", form_id)


def forms_of_transition(*, workflow, form: str, target: str) -> list[str]:
    """The forms an action issues (its data file's "form"), plus the tracking form when the dossier
    closes. No receipt is issued for a dossier still waiting for its completeness check."""
    forms = [form] if form else []
    if RECEIPT in forms and target == workflow.initial:
        forms.remove(RECEIPT)
    if workflow.states[target].final and workflow.closing_form:
        forms.append(workflow.closing_form)
    return forms
