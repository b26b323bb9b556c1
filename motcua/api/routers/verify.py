from django.http import HttpResponse
from ninja import Router

from motcua.core.errors import BadRequest, DomainError
from motcua.documents.models import TrustedRoot
from motcua.documents.selectors import verify_upload

router = Router(tags=["verify"])
MAX_BYTES = 20 * 1024 * 1024


class TooLarge(DomainError):
    status = 413
    code = "too_large"


@router.get("/roots", summary="Chứng thư gốc tin cậy (PEM) để tự kiểm tra chữ ký của hệ thống")
def roots(request):
    pem = "".join(r.certificate_pem for r in TrustedRoot.objects.order_by("pk"))
    return HttpResponse(pem, content_type="application/x-pem-file")


@router.post(
    "",
    summary="Kiểm tra một tệp PDF có chữ ký số (PDF vào, JSON ra)",
    description="Gửi tệp PDF làm thân yêu cầu (Content-Type: application/pdf) hoặc trong trường multipart `file`.",
)
def verify(request):
    upload = request.FILES.get("file")
    if upload is not None:
        size, read = upload.size, upload.read
    elif request.content_type == "application/pdf":
        size, read = len(request.body), lambda: request.body
    else:
        raise BadRequest("Gửi tệp PDF (Content-Type: application/pdf) hoặc trường multipart 'file'")
    if size > MAX_BYTES:
        raise TooLarge("Tệp lớn hơn 20 MB")
    return verify_upload(read())
