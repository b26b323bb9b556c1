"""Citizen pages for dossiers: submit online (form → documents → check → send), my dossiers, a dossier,
supplements, withdrawal, rating, receipts, attachments, and public tracking. Thin: services decide."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from motcua.accounts.privacy import dossier_access_record
from motcua.accounts.selectors import is_citizen
from motcua.catalog.selectors import documents_needed, documents_of, fee_text, procedure_current, time_text
from motcua.core.adapters.population import RegistryUnavailable, population_registry
from motcua.core.downloads import download_response
from motcua.core.errors import DomainError, NotFound, RateLimited
from motcua.core.glyphs import UnprintableText
from motcua.core.inputs import int_or_default
from motcua.core.net import client_ip
from motcua.core.views import int_param
from motcua.documents.pdf import FORM_TITLES, event_label
from motcua.documents.selectors import issued_form_get, issued_forms_of, results_of, store_matches
from motcua.documents.services import store_use
from motcua.dossiers import eforms, selectors, services
from motcua.dossiers.models import AUTHORISATION_DOCUMENT, DRAFT, Dossier
from motcua.dossiers.rules import supplement_request_event
from motcua.dossiers.workflow import load_workflow
from motcua.vneid.selectors import identity_level_of, identity_level_short


def citizen_required(view):
    @login_required
    def wrapper(request, *args, **kwargs):
        if not is_citizen(user=request.user):
            raise Http404
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    return wrapper


def _draft(request, draft_id: int) -> Dossier:
    try:
        return selectors.draft_get(citizen=request.user, draft_id=draft_id)
    except NotFound:
        raise Http404 from None


def _prefill_sources(user) -> dict:
    profile = user.citizen
    address = ", ".join(
        x
        for x in [
            profile.street,
            *[
                u.name
                for u in ([profile.address_unit, *profile.address_unit.ancestors()] if profile.address_unit else [])
            ],
        ]
        if x
    )
    sources = {
        "citizen": {
            "full_name": profile.full_name,
            "citizen_id": profile.citizen_id,
            "gender": profile.gender,
            "birth_date": profile.birth_date.isoformat(),
            "phone": profile.phone,
            "address": address,
        }
    }
    try:
        person = population_registry().lookup(profile.citizen_id)
    except RegistryUnavailable:
        person = None  # prefill is a convenience: the form still works without the registry
    if person is not None:
        sources["registry"] = {"address": person.address, "spouse": person.spouse or {}}
    return sources


def _form_context(procedure, form, draft=None, errors=None):
    fields = [form[name] for name in form.fields]
    return {"p": procedure, "form": form, "fields": fields, "draft": draft, "schema_errors": errors or {}}


@citizen_required
@never_cache
@require_http_methods(["GET", "POST"])
def submit_form(request, code: str):
    procedure = procedure_current(code=code)
    if procedure is None:
        raise Http404
    if "online" not in procedure.channels:
        messages.info(request, _("Thủ tục này chưa nhận hồ sơ trực tuyến; hãy nộp trực tiếp tại Bộ phận Một cửa."))
        return redirect("portal:procedure", code=code)
    required = identity_level_short(user=request.user, procedure=procedure)
    if required:
        context = {"p": procedure, "required": required, "current": identity_level_of(user=request.user)}
        return render(request, "portal/identity_level_needed.html", context, status=403)
    draft_id = int_or_default(request.GET.get("ban-nhap"), default=0, min_value=0, max_value=2**31 - 1)
    draft = _draft(request, draft_id) if draft_id else None
    form_class = eforms.build_form_class(procedure.form_schema, procedure.form_ui)
    if request.method == "GET":
        initial = draft.form_data if draft else eforms.prefill(procedure.form_ui, _prefill_sources(request.user))
        return render(request, "portal/submit_form.html", _form_context(procedure, form_class(initial=initial), draft))
    form = form_class(request.POST)
    data = eforms.form_to_data(procedure.form_schema, form.cleaned_data if form.is_valid() else {})
    if not form.is_valid():
        data = {k: v for k, v in request.POST.items() if k in form.fields}
    if request.POST.get("luu-nhap"):
        draft = services.dossier_draft_save(
            citizen=request.user, procedure_code=code, form=data, draft_id=draft.pk if draft else None
        )
        messages.success(
            request, _("Đã lưu bản nháp. Bạn có thể quay lại làm tiếp bất cứ lúc nào trong mục Hồ sơ của tôi.")
        )
        return redirect(reverse("portal:submit", args=[code]) + f"?ban-nhap={draft.pk}")
    _clean, errors = eforms.validate(procedure.form_schema, data) if form.is_valid() else ({}, {})
    for field, field_errors in form.errors.items():
        errors.setdefault(field, list(field_errors))
    if draft is not None or not errors:
        # An invalid step creates no draft (each retry would leave one more behind); an existing draft
        # keeps what was typed, and a valid step becomes the draft the next steps work on.
        draft = services.dossier_draft_save(
            citizen=request.user, procedure_code=code, form=data, draft_id=draft.pk if draft else None
        )
    if errors:
        for field, field_errors in errors.items():
            for error in field_errors:
                if field in form.fields and error not in form.errors.get(field, []):
                    form.add_error(field, error)
                elif field not in form.fields:
                    form.add_error(None, error)
        return render(request, "portal/submit_form.html", _form_context(procedure, form, draft, errors), status=400)
    return redirect("portal:submit_documents", draft_id=draft.pk)


@citizen_required
@never_cache
@require_http_methods(["GET", "POST"])
def submit_documents(request, draft_id: int):
    draft = _draft(request, draft_id)
    documents = documents_of(draft.procedure)
    error, error_code = "", ""
    status = 200
    if request.method == "POST":
        if request.POST.get("xoa"):
            services.attachment_remove_from_draft(owner=request.user, draft=draft, attachment_id=request.POST["xoa"])
            return redirect("portal:submit_documents", draft_id=draft.pk)
        reuse = request.POST.getlist("dung-lai")
        from_store = request.POST.getlist("kho")
        try:
            services.draft_set_on_behalf(draft=draft, on_behalf=bool(request.POST.get("uy-quyen")))
            upload = request.FILES.get("tep-uy-quyen")
            if upload:
                attachment = services.attachment_upload(
                    owner=request.user, upload=upload, document_name=AUTHORISATION_DOCUMENT
                )
                services.attach_to_draft(draft=draft, attachment_ids=[attachment.pk])
            for index, doc in enumerate(documents):
                upload = request.FILES.get(f"tep-{index}")
                if upload:
                    attachment = services.attachment_upload(owner=request.user, upload=upload, document_name=doc.name)
                    services.attach_to_draft(draft=draft, attachment_ids=[attachment.pk])
            if reuse:
                services.attach_to_draft(draft=draft, attachment_ids=reuse)
            for item in from_store:
                document_id, _sep, index = item.partition(":")
                position = int_or_default(index, default=-1, min_value=0, max_value=len(documents) - 1)
                name = documents[position].name if position >= 0 else ""
                stored_id = int_or_default(document_id, default=0, min_value=1, max_value=2**63 - 1)
                if not stored_id:
                    raise NotFound(_("Không tìm thấy giấy tờ này trong kho của bạn"))
                store_use(owner=request.user, document_id=stored_id, draft=draft, document_name=name)
        except DomainError as exc:
            error, error_code, status = exc.message, exc.code, exc.status
        else:
            if request.POST.get("tiep-tuc"):
                return redirect("portal:submit_check", draft_id=draft.pk)
            return redirect("portal:submit_documents", draft_id=draft.pk)
    attached = selectors.attachments_of(draft)
    store_options = _store_options(request.user, documents, attached)
    earlier = selectors.earlier_attachments(owner=request.user, draft=draft)
    return render(
        request,
        "portal/submit_documents.html",
        {
            "draft": draft,
            "p": draft.procedure,
            "documents": documents,
            "needed": {d.name for d in documents_needed(draft.procedure, channel="online")},
            "attached": attached,
            "earlier": earlier,
            "store_options": store_options,
            "error": error,
            "error_code": error_code,
            "authorisation_document": AUTHORISATION_DOCUMENT,
        },
        status=status,
    )


def _store_options(user, documents, attached) -> list[tuple[int, object, list]]:
    """For each required document the store can stand in for, the citizen's matching stored documents."""
    taken = {a.sha256 for a in attached}
    options = []
    for index, doc in enumerate(documents):
        if doc.store_doc_type:
            matches = [m for m in store_matches(owner=user, doc_types={doc.store_doc_type}) if m.sha256 not in taken]
            if matches:
                options.append((index, doc, matches))
    return options


@citizen_required
@never_cache
@require_http_methods(["GET", "POST"])
def submit_check(request, draft_id: int):
    if request.method == "POST":
        # A double click on «Gửi hồ sơ»: the first click turned the draft into a dossier with this key.
        done = selectors.submitted_by_key(citizen=request.user, idempotency_key=request.POST.get("idempotency_key"))
        if done is not None:
            return redirect("portal:dossier", code=done.code)
    draft = _draft(request, draft_id)
    procedure = draft.procedure
    if request.method == "POST":
        try:
            dossier, _created = services.dossier_submit(
                citizen=request.user,
                procedure_code=procedure.code,
                form=draft.form_data,
                attachment_ids=[],
                idempotency_key=request.POST.get("idempotency_key"),
                draft_id=draft.pk,
            )
        except DomainError as exc:
            messages.error(request, exc.message, extra_tags=exc.code)
            if "attachments" in (exc.fields or {}):
                return redirect("portal:submit_documents", draft_id=draft.pk)
            return redirect(reverse("portal:submit", args=[procedure.code]) + f"?ban-nhap={draft.pk}")
        return redirect("portal:dossier", code=dossier.code)
    props = procedure.form_schema.get("properties", {})
    answers = [(props.get(k, {}).get("title", k), v, k) for k, v in draft.form_data.items()]
    return render(
        request,
        "portal/submit_check.html",
        {
            "draft": draft,
            "p": procedure,
            "answers": answers,
            "attachments": selectors.attachments_of(draft),
            "fee": fee_text(procedure),
            "time": time_text(procedure),
            "idempotency_key": uuid.uuid4().hex,
        },
    )


@citizen_required
@never_cache
def my_dossiers(request):
    items = [(d, selectors.status_label(d, citizen=True)) for d in selectors.citizen_dossiers(user=request.user)[:100]]
    return render(request, "portal/my_dossiers.html", {"items": items})


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def dossier_detail(request, code: str):
    try:
        dossier = selectors.dossier_get(user=request.user, code=code)
    except NotFound:
        raise Http404 from None
    if dossier.citizen_id != request.user.pk:
        return redirect("workspace:dossier", code=code)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "rate":
                score = int_param(request.POST.get("score"))
                services.dossier_rate(
                    citizen=request.user, code=code, score=score, comment=request.POST.get("comment", "")
                )
                messages.success(request, _("Cảm ơn bạn đã đánh giá!"))
            else:
                step = load_workflow(dossier.workflow).actions.get(action)
                if step is None or "citizen" not in step.roles:
                    raise Http404
                params = {}
                if step.kind == "supplement_submit":
                    ids = []
                    for index, name in enumerate(selectors.supplement_asked(dossier)):
                        for upload in request.FILES.getlist(f"tep-{index}"):
                            ids.append(
                                str(
                                    services.attachment_upload(owner=request.user, upload=upload, document_name=name).pk
                                )
                            )
                    for upload in request.FILES.getlist("tep"):
                        ids.append(
                            str(
                                services.attachment_upload(
                                    owner=request.user, upload=upload, document_name="Bổ sung"
                                ).pk
                            )
                        )
                    params["attachments"] = ids
                services.dossier_transition(
                    code=code,
                    action=action,
                    actor=request.user,
                    version=int_param(request.POST.get("version")),
                    note=request.POST.get("note", ""),
                    params=params,
                    accept_repeat=True,
                )
                done = {
                    "withdraw": _("Đã rút hồ sơ."),
                    "supplement_submit": _("Đã nộp bổ sung. Thời hạn giải quyết được tính lại từ hôm nay."),
                }
                messages.success(request, done.get(step.kind, _("Đã cập nhật hồ sơ %(c)s.") % {"c": code}))
        except DomainError as exc:
            messages.error(request, exc.message, extra_tags=exc.code)
        except ValueError:
            messages.error(request, _("Chọn mức hài lòng từ 1 đến 5"))
        return redirect("portal:dossier", code=code)
    actions = selectors.actions_for(user=request.user, dossier=dossier)
    # What the citizen may do, by what it means (the workflow's "kind"), never by the action's name.
    kinds = {a.kind: a for a in actions if a.kind}
    return render(
        request,
        "portal/dossier.html",
        {
            "d": dossier,
            "status": selectors.status_label(dossier, citizen=True),
            "events": selectors.events_of(dossier),
            "remaining": selectors.remaining_text(dossier),
            "late": selectors.lateness(dossier),
            "asked": selectors.supplement_asked(dossier),
            "kinds": kinds,
            "supplement_request": supplement_request_event(dossier) if "supplement_submit" in kinds else None,
            "attachments": selectors.attachments_of(dossier),
            "rating": getattr(dossier, "rating", None),
            "forms": issued_forms_of(dossier=dossier),
            "results": results_of(dossier=dossier),
        },
    )


@login_required
def dossier_form_pdf(request, code: str, form: str, pk: int | None = None):
    """A form as it was issued at its event (stored bytes); 404 for a form whose event never happened."""
    try:
        dossier = selectors.dossier_get(user=request.user, code=code)
        if form not in FORM_TITLES or dossier.status == DRAFT:
            raise NotFound("")
        issued = issued_form_get(dossier=dossier, form=form, pk=pk)
    except NotFound:
        raise Http404 from None
    except UnprintableText as exc:  # text stored before the entry checks: say so instead of a broken PDF
        return render(request, "400.html", {"message": exc.message}, status=422)
    dossier_access_record(user=request.user, dossier=dossier, what=_("Xem phiếu mẫu %(form)s") % {"form": form})
    with issued.file.open("rb") as handle:
        pdf = handle.read()
    return download_response(pdf, filename=f"{dossier.code}-mau-{form}-{issued.pk}.pdf", content_type="application/pdf")


@login_required
def attachment_download(request, pk):
    try:
        attachment = selectors.attachment_get(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    if attachment.dossier_id:
        dossier_access_record(
            user=request.user,
            dossier=attachment.dossier,
            what=_("Tải giấy tờ «%(name)s»") % {"name": attachment.original_name[:120]},
        )
    # A citizen's upload is always downloaded, never displayed on our origin.
    return download_response(
        attachment.file.open("rb"),
        filename=attachment.original_name,
        content_type=attachment.content_type,
        inline=False,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def track(request):
    """Public tracking by code + phone: status, timeline and due date, nothing else personal. The lookup
    is a POST so the phone number stays out of URLs, access logs and the browser history; the QR code on
    the receipt links here with the code filled in."""
    source = request.POST if request.method == "POST" else request.GET
    code, phone = source.get("ma", "").strip(), source.get("dien-thoai", "").strip()
    dossier, error, limited = None, "", False
    if request.method == "POST":
        if code and phone:
            try:
                dossier = services.dossier_track_checked(code=code, phone=phone, ip_address=client_ip(request))
            except (NotFound, RateLimited) as exc:
                error = exc.message
                limited = isinstance(exc, RateLimited)
        else:
            error = _("Nhập mã hồ sơ và số điện thoại đã dùng khi nộp")
    context = {"code": code, "phone": phone, "d": dossier, "error": error}
    if dossier:
        context.update(
            status=selectors.status_label(dossier, citizen=True),
            events=[(e.created_at, event_label(dossier, e)) for e in selectors.events_of(dossier)],
            remaining=selectors.remaining_text(dossier),
            late=selectors.lateness(dossier),
        )
    status = 429 if limited else 404 if error and code and phone else 400 if error else 200
    return render(request, "portal/track.html", context, status=status)
