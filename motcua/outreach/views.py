"""Pages for the community digital teams: the member's phone form (works offline), progress, exports,
member import and the review of likely duplicates."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from motcua.core.errors import DomainError
from motcua.core.exports import spreadsheet_response
from motcua.core.logging import mask_citizen_id, mask_phone
from motcua.core.views import int_param
from motcua.places.selectors import villages_under

from . import selectors, services
from .charts import bar_chart_svg


def _member_or_404(user):
    member = selectors.membership(user=user)
    if member is None:
        raise Http404
    return member


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def record_form(request):
    """The phone form. With JavaScript it queues records on the phone and syncs when online; without, it
    posts one record at a time like any form."""
    member = _member_or_404(request.user)
    villages = villages_under(member.team.unit)
    result = None
    if request.method == "POST":
        item = {
            "client_id": request.POST.get("client_id") or uuid.uuid4().hex,
            "full_name": request.POST.get("full_name", ""),
            "village": request.POST.get("village_other") or request.POST.get("village", ""),
            "citizen_id": request.POST.get("citizen_id", ""),
            "phone": request.POST.get("phone", ""),
            "skills": request.POST.getlist("skills"),
            "consent": request.POST.get("consent") == "1",
            "date": request.POST.get("date", ""),
            "place": request.POST.get("place", ""),
        }
        [result] = services.records_sync(member=member, items=[item])
        if result["status"] != "rejected":
            messages.success(request, _("Đã ghi nhận %(name)s.") % {"name": item["full_name"]})
            return redirect("outreach:record")
    return render(
        request,
        "outreach/record.html",
        {
            "member": member,
            "villages": villages,
            "skills": services.skill_labels(),
            "today": timezone.localdate(),
            "client_id": uuid.uuid4().hex,
            "errors": (result or {}).get("errors", {}),
            "post": request.POST,
            "script": static("js/outreach.js"),
        },
        status=400 if result else 200,
    )


@login_required
@never_cache
def home(request):
    member = selectors.membership(user=request.user)
    teams = selectors.teams_visible_to(user=request.user)
    if member is None and not teams:
        raise Http404
    progress = None
    if member:
        campaign = selectors.active_campaign(unit=member.team.unit)
        progress = selectors.member_progress(member=member, campaign=campaign) if campaign else None
    mine = (
        selectors.records_visible_to(user=request.user).filter(member__user=request.user).order_by("-date", "-id")[:50]
    )
    return render(
        request,
        "outreach/home.html",
        {
            "member": member,
            "progress": progress,
            "records": mine,
            "teams": teams,
            "labels": services.skill_labels(),
            "campaigns": selectors.campaigns_visible_to(user=request.user),
            "can_lead": selectors.can_lead(user=request.user),
        },
    )


@login_required
@never_cache
def team_progress(request, team_id: int):
    team = get_object_or_404(selectors.teams_visible_to(user=request.user), pk=team_id)
    campaign = selectors.active_campaign(unit=team.unit)
    if campaign is None:
        return render(request, "outreach/progress.html", {"team": team, "campaign": None})
    data = selectors.team_progress(team=team, campaign=campaign)
    chart = bar_chart_svg([(d.strftime("%d/%m"), n) for d, n in data["days"]], title=_("Số lượt hỗ trợ mỗi ngày"))
    return render(
        request,
        "outreach/progress.html",
        {
            "team": team,
            "campaign": campaign,
            "data": data,
            "chart": chart,
            "coverage": selectors.coverage(root=team.unit),
        },
    )


@login_required
@never_cache
def campaign_progress(request, campaign_id: int):
    campaign = get_object_or_404(selectors.campaigns_visible_to(user=request.user), pk=campaign_id)
    return render(
        request,
        "outreach/campaign.html",
        {"campaign": campaign, **selectors.campaign_progress(campaign=campaign, user=request.user)},
    )


@login_required
def team_export(request, team_id: int):
    """Records of the team as CSV or XLSX; citizen ID numbers and phones are masked."""
    team = get_object_or_404(selectors.teams_visible_to(user=request.user), pk=team_id)
    records = selectors.records_visible_to(user=request.user).filter(member__team=team).order_by("date", "id")
    header = ["Ngày", "Thành viên", "Người được hỗ trợ", "Thôn", "Số định danh", "Điện thoại", "Kỹ năng"]
    labels = services.skill_labels()
    rows = [
        [
            r.date,
            r.member.full_name,
            r.full_name,
            r.village.name if r.village else r.village_text,
            mask_citizen_id(r.citizen_id) if r.citizen_id else "",
            mask_phone(r.phone) if r.phone else "",
            "; ".join(labels.get(s, s) for s in r.skills),
        ]
        for r in records
    ]
    return spreadsheet_response(
        filename=f"to-cong-nghe-{team.unit.code}",
        header=header,
        rows=rows,
        fmt="xlsx" if request.GET.get("dang") == "xlsx" else "csv",
        sheet_title="Hỗ trợ",
    )


@login_required
@require_http_methods(["GET", "POST"])
def members_import(request, team_id: int):
    if not selectors.can_lead(user=request.user):
        raise Http404
    team = get_object_or_404(selectors.teams_visible_to(user=request.user), pk=team_id)
    errors = []
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("tep")
        if upload is None:
            errors, status = [_("Chọn tệp CSV hoặc XLSX danh sách thành viên")], 400
        else:
            try:
                report = services.members_import(team=team, filename=upload.name, data=upload.read())
            except DomainError as exc:
                errors, status = [exc.message, *exc.fields.get("rows", [])], 422
            else:
                messages.success(
                    request,
                    _("Đã nhập %(c)s thành viên mới, cập nhật %(u)s.") % {"c": report.created, "u": report.updated},
                )
                return redirect("outreach:progress", team_id=team.pk)
    return render(
        request, "outreach/import.html", {"team": team, "errors": errors, "columns": services.COLUMNS}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def review(request):
    if not selectors.can_lead(user=request.user):
        raise Http404
    if request.method == "POST":
        person_id = int_param(request.POST.get("person"))
        if not selectors.review_queue(user=request.user).filter(pk=person_id).exists():
            raise Http404
        try:
            services.person_review(person_id=person_id, same=request.POST.get("same") == "1")
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("outreach:review")
    search = (request.GET.get("q") or "").strip()[:100]
    pending = selectors.review_queue(user=request.user, search=search)
    return render(request, "outreach/review.html", {"pending": pending, "search": search})


def service_worker(request):
    """Served from the team's URL space so its scope covers the form (see templates/outreach/sw.js)."""
    response = render(
        request,
        "outreach/sw.js",
        {"js": static("js/outreach.js"), "css": static("css/site.css"), "form": reverse("outreach:record")},
        content_type="application/javascript",
    )
    response["Service-Worker-Allowed"] = "/to-cong-nghe/"
    response["Cache-Control"] = "no-cache"
    return response
