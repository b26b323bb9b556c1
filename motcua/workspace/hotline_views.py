"""Officer pages for the hotline log (motcua.hotline): the log with its figures, recording a call, a call
with its one-step conversions (assisted dossier, feedback item), and the duty roster. Thin: the hotline
services and selectors decide; a unit the officer does not serve is 404."""

import datetime as dt
import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from motcua.accounts.decorators import officer_required
from motcua.catalog.selectors import procedures_current
from motcua.core.errors import DomainError, NotFound
from motcua.core.inputs import clean_past_date, parse_date
from motcua.core.views import int_param
from motcua.hotline import selectors, services
from motcua.hotline.models import Outcome, Shift, Topic

CALLS_PAGE_SIZE = 25


def _unit(request, *, roster: bool = False):
    """The unit chosen with ?dia-ban=<code> (or the form's), else the officer's first hotline unit."""
    code = request.POST.get("dia-ban") or request.GET.get("dia-ban") or ""
    units = selectors.hotline_units(user=request.user)
    if not units:
        raise Http404
    if not code:
        return units[0], units
    try:
        return selectors.hotline_unit_get(user=request.user, code=code, roster=roster), units
    except NotFound:
        raise Http404 from None


@officer_required
@never_cache
def hotline_home(request):
    unit, units = _unit(request)
    topic = request.GET.get("chu-de", "")
    if topic not in Topic.values:
        topic = ""
    pending = request.GET.get("viec") == "chua-xong"
    today = timezone.localdate()
    page = Paginator(
        selectors.calls_for(user=request.user, unit=unit, topic=topic, pending=pending), CALLS_PAGE_SIZE
    ).get_page(request.GET.get("trang"))
    per_day = selectors.calls_per_day(user=request.user, unit=unit, start=today - dt.timedelta(days=13), end=today)
    per_topic = selectors.calls_per_topic(user=request.user, unit=unit, start=today - dt.timedelta(days=29), end=today)
    query = {"dia-ban": unit.code, **({"chu-de": topic} if topic else {}), **({"viec": "chua-xong"} if pending else {})}
    return render(
        request,
        "workspace/hotline.html",
        {
            "unit": unit,
            "units": units,
            "topic": topic,
            "pending": pending,
            "pending_count": selectors.pending_follow_ups(user=request.user, unit=unit),
            "topics": Topic.choices,
            "page": page,
            "query_prefix": urlencode(query),
            "per_day": per_day,
            "per_day_total": sum(d["count"] for d in per_day),
            "per_topic": per_topic,
            "on_duty": selectors.on_duty(unit=unit),
            "numbers": selectors.hotline_numbers(unit=unit),
            "can_keep_roster": services.can_keep_roster(user=request.user, unit=unit),
        },
    )


def _received_at(post) -> dt.datetime | None:
    """The call's moment from "ngày" (dd/mm/yyyy) and "giờ" (HH:MM); None (= now) when both are empty."""
    day_text, time_text = (post.get("received_date") or "").strip(), (post.get("received_time") or "").strip()
    if not day_text and not time_text:
        return None
    day = parse_date(day_text) if day_text else timezone.localdate()
    match = re.fullmatch(r"([01]?\d|2[0-3])[:hg.]([0-5]\d)", time_text) if time_text else None
    if day is None or (time_text and match is None):
        raise ValidationError(_("Nhập thời điểm gọi như 14:30 và ngày như 30/11/2026, hoặc để trống nếu vừa gọi"))
    moment = dt.time(int(match.group(1)), int(match.group(2))) if match else timezone.localtime().time()
    return timezone.make_aware(dt.datetime.combine(day, moment))


@officer_required
@never_cache
@require_http_methods(["GET", "POST"])
def call_new(request):
    unit, units = _unit(request)
    errors: dict = {}
    message = ""
    post = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        try:
            received_at = _received_at(post)
        except ValidationError as exc:
            received_at, errors["received_at"] = None, exc.messages
        try:
            call = services.call_record(
                officer=request.user,
                unit=unit,
                received_at=received_at,
                caller_phone=post.get("caller_phone", ""),
                caller_name=post.get("caller_name", ""),
                topic=post.get("topic", ""),
                procedure_code=post.get("procedure", ""),
                summary=post.get("summary", ""),
                outcome=post.get("outcome", ""),
                follow_up=post.get("follow_up", ""),
            )
        except DomainError as exc:
            errors = {**exc.field_messages(), **errors}
            message = exc.message
        else:
            if not errors:
                messages.success(request, _("Đã ghi cuộc gọi."))
                return redirect("workspace:hotline_call", pk=call.pk)
    return render(
        request,
        "workspace/hotline_call_new.html",
        {
            "unit": unit,
            "units": units,
            "post": post,
            "errors": errors,
            "message": message,
            "topics": Topic.choices,
            "outcomes": [(o.value, o.label) for o in (Outcome.ANSWERED, Outcome.FOLLOW_UP, Outcome.TRANSFERRED)],
            "procedures": procedures_current().order_by("-popularity", "code"),
        },
        status=400 if (errors or message) else 200,
    )


@officer_required
@never_cache
@require_http_methods(["GET", "POST"])
def call_detail(request, pk: int):
    try:
        call = selectors.call_get(user=request.user, call_id=pk)
    except NotFound:
        raise Http404 from None
    errors: dict = {}
    message = ""
    post = request.POST if request.method == "POST" else {}
    action = post.get("action", "")
    if action == "assisted":
        try:
            birth = clean_past_date(post.get("birth_date", ""), label=_("Ngày sinh"), required=False)
        except ValidationError as exc:
            birth, errors["birth_date"] = None, exc.messages
        if not errors:
            try:
                draft = services.call_to_assisted(
                    officer=request.user,
                    call_id=call.pk,
                    citizen_id=post.get("citizen_id", ""),
                    full_name=post.get("full_name", ""),
                    birth_date=birth,
                    gender=post.get("gender", ""),
                )
            except DomainError as exc:
                errors, message = exc.field_messages(), exc.message
            else:
                messages.success(request, _("Đã tạo hồ sơ nháp cho người gọi; hãy điền hồ sơ cùng công dân."))
                return redirect("outreach:assisted_fill", draft_id=draft.pk)
    elif action == "feedback":
        try:
            item = services.call_to_feedback(
                officer=request.user,
                call_id=call.pk,
                category=post.get("category", ""),
                subject=post.get("subject", ""),
            )
        except DomainError as exc:
            errors, message = exc.field_messages(), exc.message
        else:
            messages.success(request, _("Đã tạo phản ánh %(code)s từ cuộc gọi.") % {"code": item.code})
            return redirect("workspace:hotline_call", pk=call.pk)
    elif action == "follow_up_done":
        try:
            services.call_follow_up_done(officer=request.user, call_id=call.pk, result=post.get("result", ""))
        except DomainError as exc:
            errors, message = exc.field_messages(), exc.message
        else:
            messages.success(request, _("Đã ghi nhận việc cần làm tiếp đã xong."))
            return redirect("workspace:hotline_call", pk=call.pk)
    elif request.method == "POST":
        raise Http404
    from motcua.dossiers.assisted import can_assist

    return render(
        request,
        "workspace/hotline_call.html",
        {
            "call": call,
            "post": post,
            "action": action,
            "errors": errors,
            "message": message,
            "can_assist": can_assist(user=request.user),
            "feedback_available": services.feedback_available(),
            "feedback_categories": _feedback_categories(),
        },
        status=400 if (errors or message) else 200,
    )


def _feedback_categories() -> list[tuple[str, str]]:
    try:
        from motcua.feedback.models import Category
    except ImportError:
        return []
    return list(Category.choices)


@officer_required
@never_cache
@require_http_methods(["GET"])
def roster(request):
    unit, units = _unit(request)
    start = parse_date(request.GET.get("tu", "")) or timezone.localdate()
    return render(
        request,
        "workspace/hotline_roster.html",
        _roster_context(request, unit, units, start),
    )


def _roster_context(request, unit, units, start, **extra) -> dict:
    keep = services.can_keep_roster(user=request.user, unit=unit)
    return {
        "unit": unit,
        "units": units,
        "start": start,
        "previous": start - dt.timedelta(days=7),
        "next": start + dt.timedelta(days=7),
        "rows": selectors.roster_for(unit=unit, start=start, days=7),
        "numbers": selectors.hotline_numbers(unit=unit),
        "on_duty": selectors.on_duty(unit=unit),
        "can_keep_roster": keep,
        "officers": list(selectors.unit_officers(unit=unit)) if keep else [],
        "shifts": Shift.choices,
        "post": {},
        "errors": {},
        "message": "",
        **extra,
    }


@officer_required
@require_POST
def roster_assign(request):
    unit, units = _unit(request, roster=True)
    post = request.POST
    day = parse_date(post.get("date", ""))
    officer_id = int_param(post.get("officer"), default=0, min_value=0)
    officers = {o.pk: o for o in selectors.unit_officers(unit=unit)}
    try:
        services.shift_assign(
            manager=request.user, unit=unit, date=day, shift=post.get("shift", ""), officer=officers.get(officer_id)
        )
    except DomainError as exc:
        context = _roster_context(
            request,
            unit,
            units,
            day or timezone.localdate(),
            post=post,
            errors=exc.field_messages(),
            message=exc.message,
        )
        return render(request, "workspace/hotline_roster.html", context, status=400)
    messages.success(request, _("Đã cập nhật lịch trực."))
    return redirect(
        reverse("workspace:hotline_roster") + "?" + urlencode({"dia-ban": unit.code, "tu": day.strftime("%d/%m/%Y")})
    )
