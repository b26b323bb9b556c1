"""Citizen pages: thin. Every rule lives in the domain apps' selectors and services."""

import segno
from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from motcua.accounts.throttle import throttle_hit
from motcua.catalog import selectors as catalog
from motcua.catalog.assistant import assistant_answer
from motcua.catalog.models import Field
from motcua.core.errors import RateLimited
from motcua.core.net import client_ip
from motcua.places import selectors as places_selectors
from motcua.places.selectors import main_office
from motcua.vneid.selectors import identity_level_of, identity_level_short

MAX_QUERY = 200
CHAT_TURNS = 6


def home(request):
    return render(
        request,
        "portal/home.html",
        {"popular": catalog.procedures_popular(8), "fields": catalog.fields_with_counts(), "office": main_office()},
    )


def search(request):
    query = (request.GET.get("q") or "").strip()[:MAX_QUERY]
    results, reading = [], None
    office = main_office()
    english = catalog.english_lines() if (get_language() or "").startswith("en") else {}
    if query:
        for hit, procedure in catalog.procedures_for_hits(catalog.procedure_search(query=query, limit=20)):
            results.append(
                {
                    "hit": hit,
                    "procedure": procedure,
                    "time": catalog.time_text(procedure),
                    "en": english.get(procedure.code),
                }
            )
        # "Did you mean": the assistant's reading of the same words (a life event, a place outside the
        # commune, or the few procedures it hesitates between).
        reading = assistant_answer(query, hotline=office.hotline if office else "")
        top = results[0]["procedure"].code if results else None
        plain_choice = reading.kind == "choose" and not (reading.event or reading.referral)
        if (
            plain_choice
            or reading.kind in ("unknown", "empty")
            or (reading.kind == "procedure" and reading.procedure["code"] == top)
        ):
            reading = None  # the results list already shows these
    return render(
        request, "portal/search.html", {"query": query, "results": results, "office": office, "reading": reading}
    )


def procedure(request, code: str):
    item = catalog.procedure_current(code=code)
    if item is None:
        raise Http404
    url = settings.SITE_URL + reverse("portal:procedure", args=[item.code])
    qr = segno.make(url, error="m").svg_inline(scale=3, title=f"Mã QR của trang thủ tục {item.code}", omitsize=True)
    linked = catalog.procedures_linked(item)
    return render(
        request,
        "portal/procedure.html",
        {
            "p": item,
            "documents": catalog.documents_of(item),
            "time": catalog.time_text(item),
            "fee": catalog.fee_text(item),
            "office": main_office(),
            "qr_svg": qr,
            "page_url": url,
            "linked": linked,
            "identity_required": identity_level_short(user=request.user, procedure=item)
            if request.user.is_authenticated
            else item.identity_level_required,
            "identity_current": identity_level_of(user=request.user),
            "english": catalog.english_lines().get(item.code) if (get_language() or "").startswith("en") else None,
        },
    )


def field(request, slug: str):
    item = get_object_or_404(Field, slug=slug)
    procedures = catalog.procedures_of_field(field=item).order_by("-popularity", "code")
    page = Paginator(procedures, 25).get_page(request.GET.get("trang"))
    return render(request, "portal/field.html", {"field": item, "page": page})


def contacts(request):
    offices = places_selectors.offices_active()
    return render(request, "portal/contacts.html", {"offices": offices})


@require_http_methods(["GET", "POST"])
def assistant(request):
    """A chat that works without JavaScript: each question is a form post, the conversation lives in the
    session, and the page is redirected after each post so a reload never asks twice."""
    history = request.session.get("assistant", [])
    if request.method == "POST":
        if request.POST.get("xoa"):
            request.session["assistant"] = []
            return redirect("portal:assistant")
        text = (request.POST.get("text") or "").strip()[:MAX_QUERY]
        if text:
            try:
                throttle_hit(purpose="assistant", ip_address=client_ip(request))
            except RateLimited as exc:
                return render(request, "portal/assistant.html", {"history": history, "error": exc.message}, status=429)
            office = main_office()
            answer = assistant_answer(text, hotline=office.hotline if office else "")
            links = [{"code": o["code"], "name": o["name"]} for o in answer.options]
            history = [*history, {"q": text, "a": answer.text, "kind": answer.kind, "links": links}]
            request.session["assistant"] = history[-CHAT_TURNS:]
        return redirect(reverse("portal:assistant") + "#cuoi")
    return render(request, "portal/assistant.html", {"history": history})
