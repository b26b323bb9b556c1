from django.conf import settings
from django.http import HttpResponse
from ninja import Router

from motcua.core.errors import BadRequest
from motcua.core.inputs import is_ascii_digits
from motcua.core.net import client_ip
from motcua.documents.selectors import TooLarge, trusted_roots, verify_size_message
from motcua.documents.services import verify_request

router = Router(tags=["verify"])


@router.get("/roots", summary="Chứng thư gốc tin cậy (PEM) để tự kiểm tra chữ ký của hệ thống")
def roots(request):
    pem = "".join(r.certificate_pem for r in trusted_roots())
    return HttpResponse(pem, content_type="application/x-pem-file")


@router.post(
    "",
    summary="Kiểm tra một tệp PDF có chữ ký số (PDF vào, JSON ra)",
    description=(
        "Gửi tệp PDF làm thân yêu cầu (Content-Type: application/pdf, tối đa 2 MB) hoặc trong trường multipart "
        "`file`. Giới hạn: kích thước VERIFY_MAX_BYTES (413), thời gian kiểm tra VERIFY_TIMEOUT_SECONDS, số lần "
        "mỗi địa chỉ (429 kèm Retry-After), số tệp kiểm tra cùng lúc (503 kèm Retry-After)."
    ),
)
def verify(request):
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if is_ascii_digits(declared) and int(declared) > settings.VERIFY_MAX_BYTES + 64 * 1024:
        raise TooLarge(verify_size_message())  # refused before the body is read
    upload = request.FILES.get("file")
    if upload is not None:
        if upload.size > settings.VERIFY_MAX_BYTES:
            raise TooLarge(verify_size_message())
        data = upload.read()
    elif request.content_type == "application/pdf":
        data = request.body
    else:
        raise BadRequest("Gửi tệp PDF (Content-Type: application/pdf) hoặc trường multipart 'file'")
    return verify_request(data=data, ip_address=client_ip(request))
