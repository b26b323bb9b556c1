"""Officer pages for dossiers: worklists, the dossier page with the actions allowed now, counter intake."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from motcua.accounts.decorators import officer_required
from motcua.accounts.models import Role
from motcua.accounts.privacy import dossier_access_record
from motcua.accounts.selectors import roles_on
from motcua.accounts.services import citizen_lookup_for_counter
from motcua.catalog.selectors import documents_of, procedure_current, procedures_current
from motcua.core.errors import DomainError, NotFound
from motcua.core.inputs import clean_past_date
from motcua.core.net import client_ip, safe_next
from motcua.core.views import int_param
from motcua.documents.selectors import issued_forms_of
from motcua.dossiers import eforms, selectors, services
from motcua.dossiers.models import Channel
from motcua.dossiers.rules import state_due
from motcua.dossiers.staffing import assignable_specialists
from motcua.dossiers.workflow import known_params

WORKLIST_PAGE_SIZE = 25


@officer_required
def worklist(request):
    search = (request.GET.get("q") or "").strip()[:100]
    result = selectors.worklist_page(
        user=request.user,
        query=selectors.WorklistQuery(view=request.GET.get("xem", "open"), search=search),
        number=request.GET.get("trang"),
        per_page=WORKLIST_PAGE_SIZE,
    )
    prefix = urlencode({k: v for k, v in {"xem": result.query.view, "q": search}.items() if v})
    return render(
        request,
        "workspace/worklist.html",
        {
            "views": selectors.VIEWS,
            "current": result.query.view,
            "search": search,
            "page": result.page,
            "rows": result.rows,
            "counts": result.counts,
            "count_labels": result.count_labels,
            "count_cap": selectors.count_cap_text(),
            "query_prefix": prefix,
            # Each row links to its dossier: the path is reversed once and the code appended (a code is
            # letters, digits, dots and dashes), instead of reversing the URL once per row.
            "dossier_path": reverse("workspace:dossier", args=["-"])[:-1],
        },
    )


@officer_required
def dossier(request, code: str):
    try:
        item = selectors.dossier_get(user=request.user, code=code)
    except NotFound:
        raise Http404 from None
    dossier_access_record(user=request.user, dossier=item, what=_("Xem hồ sơ"))
    actions = selectors.actions_for(user=request.user, dossier=item)
    specialists = []
    if any(p.type == "specialist" for a in actions for p in a.params):
        specialists = assignable_specialists(dossier=item)
    props = item.procedure.form_schema.get("properties", {})
    events = list(selectors.events_of(item))
    return render(
        request,
        "workspace/dossier.html",
        {
            "d": item,
            "status": selectors.status_label(item),
            "remaining": selectors.remaining_text(item),
            "late": selectors.lateness(item),
            "events": events,
            "state_due": state_due(item, events),
            "actions": actions,
            "specialists": specialists,
            "answers": [(props.get(k, {}).get("title", k), v) for k, v in item.form_data.items()],
            "attachments": selectors.attachments_of(item),
            "errors": request.session.pop("action_errors", None),
            "is_leader": Role.LEADER in roles_on(user=request.user, unit=item.unit),
            "handovers": selectors.handovers(item),
            "procedure_documents": documents_of(item.procedure),
            "forms": issued_forms_of(dossier=item),
        },
    )


@officer_required
@require_POST
def act(request, code: str):
    action = request.POST.get("action", "")
    # The action's params are workflow data (docs/dossiers.md): any posted field a workflow declares.
    params = {}
    for name, is_list in known_params().items():
        values = [v for v in request.POST.getlist(name) if v]
        if values:
            params[name] = values if is_list else values[0]
    if request.POST.get("confirm"):
        params["confirm"] = request.POST["confirm"]
    try:
        services.dossier_transition(
            code=code,
            action=action,
            actor=request.user,
            version=int_param(request.POST.get("version")),
            note=request.POST.get("note", ""),
            params=params,
            accept_repeat=True,
        )
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        request.session["action_errors"] = {
            "action": action,
            "code": exc.code,
            "message": exc.message,
            "fields": exc.fields,
        }
        messages.error(request, exc.message, extra_tags=exc.code)
        return redirect("workspace:dossier", code=code)
    messages.success(request, _("Đã cập nhật hồ sơ %(c)s.") % {"c": code})
    # Back to the queue the officer came from, as UI.md §6 asks.
    return redirect(safe_next(request, reverse("workspace:worklist")))


@officer_required
@require_http_methods(["GET", "POST"])
def counter_intake(request):
    """Register a walk-in citizen's dossier: find or create the citizen, pick the procedure, fill the
    form, attach scans, print the receipt."""
    offices = selectors.counter_offices(officer=request.user)
    if not offices:
        raise Http404
    procedures = procedures_current()
    code = request.POST.get("procedure") or request.GET.get("thu-tuc") or ""
    procedure = procedure_current(code=code) if code else None
    form = None
    if procedure:
        form_class = eforms.build_form_class(procedure.form_schema, procedure.form_ui)
        form = form_class(request.POST if request.method == "POST" else None)
    errors = {}
    lookup = None
    is_lookup = request.method == "POST" and request.POST.get("action") == "lookup"
    if is_lookup:
        # "Does this citizen have an account?": initials and a masked phone only, and audited.
        if not request.POST.get("citizen_id", "").strip():
            errors["citizen_id"] = [_("Nhập số định danh cá nhân của công dân để tìm")]
        else:
            lookup = {
                "found": citizen_lookup_for_counter(
                    officer=request.user, citizen_id=request.POST["citizen_id"], ip_address=client_ip(request)
                )
            }
    elif request.method == "POST":
        # A second click on «Tiếp nhận» resends the same form key: show the dossier the first click received.
        done = selectors.counter_dossier_by_key(
            officer=request.user, idempotency_key=request.POST.get("idempotency_key")
        )
        if done is not None:
            return redirect("workspace:dossier", code=done.code)
    if request.method == "POST" and procedure and not is_lookup:
        data = eforms.form_to_data(procedure.form_schema, form.cleaned_data if form.is_valid() else {})
        try:
            birth = clean_past_date(request.POST.get("birth_date", ""), label=_("Ngày sinh"), required=False)
        except ValidationError as exc:
            birth, errors["birth_date"] = None, exc.messages
        try:
            if errors:
                raise DomainError(_("Thông tin công dân chưa đúng"), fields=errors)
            citizen = services.citizen_find_or_create(
                officer=request.user,
                citizen_id=request.POST.get("citizen_id", ""),
                full_name=request.POST.get("full_name", ""),
                birth_date=birth,
                gender=request.POST.get("gender", ""),
                phone=request.POST.get("phone", ""),
            )
            ids = [
                str(services.attachment_upload(owner=request.user, upload=f, document_name="Bản quét tại quầy").pk)
                for f in request.FILES.getlist("scans")
            ]
            office = next((o for o in offices if o.code == request.POST.get("office")), offices[0])
            item, _created = services.dossier_submit(
                citizen=citizen,
                procedure_code=procedure.code,
                form=data,
                attachment_ids=ids,
                idempotency_key=request.POST.get("idempotency_key"),
                office_code=office.code,
                channel=Channel.COUNTER,
                officer=request.user,
                counter_documents=request.POST.getlist("documents"),
                exception_note=request.POST.get("exception_note", ""),
            )
        except DomainError as exc:
            errors = exc.fields or {"__all__": [exc.message]}
            messages.error(request, exc.message, extra_tags=exc.code)
        else:
            messages.success(request, _("Đã tiếp nhận hồ sơ %(c)s. In giấy biên nhận cho công dân.") % {"c": item.code})
            return redirect("workspace:dossier", code=item.code)
    return render(
        request,
        "workspace/counter_intake.html",
        {
            "offices": offices,
            "procedures": procedures.order_by("field__order", "code"),
            "procedure": procedure,
            "form": form,
            "errors": errors,
            "lookup": lookup,
            "post": request.POST,
            "ticked": request.POST.getlist("documents"),
            "documents": documents_of(procedure) if procedure else [],
            "idempotency_key": uuid.uuid4().hex,
        },
        status=400 if errors else 200,
    )
