"""Pages for assisted submission (motcua.dossiers.assisted): a team member or intake officer starts a
dossier for a citizen, fills it with them, and the citizen confirms with a code on their own phone, or
(no phone) the helper attaches the signed paper consent for the intake officer to check."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from motcua.accounts.services import name_initials
from motcua.catalog.selectors import documents_needed, procedures_current
from motcua.core.errors import DomainError
from motcua.core.inputs import clean_past_date
from motcua.core.logging import mask_phone
from motcua.core.net import client_ip
from motcua.dossiers import assisted, eforms
from motcua.dossiers.models import Consent
from motcua.dossiers.services import attachment_upload


def _helper(request):
    if not assisted.can_assist(user=request.user):
        raise Http404
    return request.user


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def start(request):
    helper = _helper(request)
    procedures = [p for p in procedures_current().order_by("-popularity", "code") if "online" in p.channels]
    errors: dict = {}
    message = ""
    post = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        try:
            birth = clean_past_date(post.get("birth_date", ""), label=_("Ngày sinh"), required=False)
        except ValidationError as exc:
            birth, errors["birth_date"] = None, exc.messages
        if not errors:
            try:
                draft = assisted.assisted_start(
                    helper=helper,
                    procedure_code=post.get("procedure", ""),
                    citizen_id=post.get("citizen_id", ""),
                    full_name=post.get("full_name", ""),
                    birth_date=birth,
                    gender=post.get("gender", ""),
                    phone=post.get("phone", ""),
                )
            except DomainError as exc:
                errors, message = exc.field_messages(), exc.message
            else:
                return redirect("outreach:assisted_fill", draft_id=draft.pk)
    drafts = list(assisted.assisted_drafts_of(helper=helper)[:20])
    for draft in drafts:
        draft.initials = name_initials(draft.applicant_name)
    return render(
        request,
        "outreach/assisted_start.html",
        {"procedures": procedures, "post": post, "errors": errors, "message": message, "drafts": drafts},
        status=400 if (errors or message) else 200,
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def fill(request, draft_id: int):
    helper = _helper(request)
    try:
        draft = assisted.assisted_draft(helper=helper, draft_id=draft_id)
    except DomainError:
        raise Http404 from None
    if draft.consent_requested_at and draft.consent == Consent.SMS_CODE:
        return redirect("outreach:assisted_confirm", draft_id=draft.pk)
    procedure = draft.procedure
    needed = documents_needed(procedure, channel="online")
    form_class = eforms.build_form_class(procedure.form_schema, procedure.form_ui)
    errors: dict = {}
    message = ""
    if request.method == "POST" and draft.consent_requested_at is None:
        form = form_class(request.POST)
        data = eforms.form_to_data(procedure.form_schema, form.cleaned_data if form.is_valid() else {})
        if not form.is_valid():
            data = {k: v for k, v in request.POST.items() if k in form.fields}
            errors.update({k: list(v) for k, v in form.errors.items()})
        try:
            ids = []
            for index, doc in enumerate(needed):
                upload = request.FILES.get(f"tep-{index}")
                if upload:
                    ids.append(attachment_upload(owner=helper, upload=upload, document_name=doc.name).pk)
            upload = request.FILES.get("giay-dong-y")
            if upload:
                ids.append(
                    attachment_upload(owner=helper, upload=upload, document_name=assisted.PAPER_CONSENT_DOCUMENT).pk
                )
            draft = assisted.assisted_fill(helper=helper, draft_id=draft.pk, form=data, attachment_ids=ids)
            if not errors and "gui-ma" in request.POST:
                assisted.assisted_request_confirmation(helper=helper, draft_id=draft.pk, ip_address=client_ip(request))
                return redirect("outreach:assisted_confirm", draft_id=draft.pk)
            if not errors and "giay" in request.POST:
                assisted.assisted_submit_paper_consent(helper=helper, draft_id=draft.pk)
                messages.success(
                    request,
                    _(
                        "Đã gửi hồ sơ kèm giấy đồng ý. Bộ phận Một cửa sẽ kiểm tra giấy đồng ý rồi mới tiếp nhận; "
                        "công dân xem được hồ sơ trong tài khoản của mình."
                    ),
                )
                return redirect("outreach:assisted_start")
            if not errors:
                messages.success(request, _("Đã lưu."))
                return redirect("outreach:assisted_fill", draft_id=draft.pk)
        except DomainError as exc:
            message = exc.message
            for key, value in exc.field_messages().items():
                errors.setdefault(key, []).extend(value)
        for key, value in errors.items():
            if key in form.fields:
                for error in value:
                    if error not in form.errors.get(key, []):
                        form.add_error(key, error)
    else:
        form = form_class(initial=draft.form_data)
    fields = [form[name] for name in form.fields]
    attached = list(draft.attachments.all())
    profile = draft.citizen.citizen
    phone = draft.citizen.phone or profile.phone
    return render(
        request,
        "outreach/assisted_fill.html",
        {
            "draft": draft,
            "p": procedure,
            "form": form,
            "fields": fields,
            "schema_errors": errors,
            "needed": needed,
            "attached": attached,
            # Initials only: typing an ID must not reveal whose it is (the citizen is beside the helper).
            "citizen_name": name_initials(profile.full_name),
            "phone": mask_phone(phone) if phone else "",
            "message": message,
            "consent_document": assisted.PAPER_CONSENT_DOCUMENT,
        },
        status=400 if (errors or message) else 200,
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, draft_id: int):
    helper = _helper(request)
    try:
        draft = assisted.assisted_draft(helper=helper, draft_id=draft_id)
    except DomainError:
        raise Http404 from None
    error = ""
    status = 200
    if request.method == "POST":
        try:
            if "gui-lai" in request.POST:
                from motcua.accounts import otp

                otp.otp_resend(verification_id=draft.confirmation_id, purpose="assisted", ip_address=client_ip(request))
                messages.success(request, _("Đã gửi lại mã tới điện thoại của công dân."))
                return redirect("outreach:assisted_confirm", draft_id=draft.pk)
            dossier = assisted.assisted_confirm(
                helper=helper, draft_id=draft.pk, code=request.POST.get("code", ""), ip_address=client_ip(request)
            )
        except DomainError as exc:
            error, status = exc.message, exc.status
        else:
            return render(request, "outreach/assisted_done.html", {"dossier": dossier})
    phone = draft.citizen.phone or draft.citizen.citizen.phone
    return render(
        request,
        "outreach/assisted_confirm.html",
        {
            "draft": draft,
            "error": error,
            "phone": mask_phone(phone or ""),
            "name": name_initials(draft.citizen.citizen.full_name),
        },
        status=status,
    )


def assisted_url(draft) -> str:
    return reverse("outreach:assisted_fill", args=[draft.pk])
