"""Payments API: provider callbacks (public, signed) and the VietQR image of a payment reference."""

from urllib.parse import parse_qsl

from django.http import HttpResponse, JsonResponse
from ninja import Router
from ninja.security import django_auth

from motcua.api.auth import bearer
from motcua.payments import selectors, services, vietqr

router = Router(tags=["payments"])


def _params(request) -> dict:
    params = dict(request.GET.items())
    if request.method == "POST" and request.content_type == "application/x-www-form-urlencoded":
        params.update(parse_qsl(request.body.decode("utf-8", errors="replace"), keep_blank_values=True))
    return params


@router.post(
    "/callback/{provider}",
    auth=None,
    summary="Thông báo thanh toán từ ngân hàng/cổng thanh toán (có chữ ký; lưu nguyên văn trước khi xử lý)",
)
def callback(request, provider: str):
    result = services.callback_receive(
        provider_name=provider, raw_body=request.body, headers=request.headers, params=_params(request)
    )
    return JsonResponse(result.body, status=result.status, json_dumps_params={"ensure_ascii": False})


@router.get(
    "/callback/{provider}",
    auth=None,
    summary="IPN kiểu VNPay gửi bằng GET (tham số trên đường dẫn); xử lý như POST",
)
def callback_get(request, provider: str):
    raw = request.META.get("QUERY_STRING", "").encode()
    result = services.callback_receive(
        provider_name=provider, raw_body=raw, headers=request.headers, params=_params(request)
    )
    return JsonResponse(result.body, status=result.status, json_dumps_params={"ensure_ascii": False})


def _payload(request, reference: str) -> str:
    intent = selectors.intent_get_visible(user=request.auth, reference=reference)
    payload = selectors.qr_payload(intent) if intent.status == "pending" else None
    if payload is None:
        from motcua.core.errors import NotFound

        raise NotFound("Khoản này không còn chờ thanh toán hoặc cơ quan chưa khai báo tài khoản nhận tiền")
    return payload


@router.get("/{reference}/qr.svg", auth=[bearer, django_auth], summary="Mã VietQR của khoản cần thanh toán (SVG)")
def qr_svg(request, reference: str):
    svg = vietqr.image_svg(_payload(request, reference), title="VietQR")
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


@router.get("/{reference}/qr.png", auth=[bearer, django_auth], summary="Mã VietQR của khoản cần thanh toán (PNG)")
def qr_png(request, reference: str):
    response = HttpResponse(vietqr.image_png(_payload(request, reference)), content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    return response


@router.post(
    "/{reference}/checkout",
    auth=[bearer, django_auth],
    summary="Bắt đầu thanh toán qua cổng thẻ/ví: trả về địa chỉ để chuyển người nộp tới cổng",
)
def checkout(request, reference: str):
    from django.conf import settings
    from django.urls import reverse

    from motcua.core.errors import NotAllowed
    from motcua.payments.providers import provider_get

    intent = selectors.intent_get_visible(user=request.auth, reference=reference)
    if intent.status != "pending":
        raise NotAllowed("Khoản này không còn chờ thanh toán", code="not_pending")
    provider = provider_get("vnpay-demo")
    back = settings.SITE_URL + reverse("payments:gateway_return", args=[provider.name])
    url = provider.checkout_url(intent=intent, return_url=back)
    # An app opens the URL outside the site: the simulator's own page is given with the site's address.
    return {"provider": provider.name, "url": url if "://" in url else settings.SITE_URL + url}
