from django.http import HttpResponse
from ninja import File, Router
from ninja.files import UploadedFile

from motcua.core.errors import DomainError
from motcua.documents.models import TrustedRoot
from motcua.documents.selectors import verify_upload

router = Router(tags=["verify"])


class TooLarge(DomainError):
    status = 413
    code = "too_large"


@router.get("/roots", summary="Chứng thư gốc tin cậy (PEM) để tự kiểm tra chữ ký của hệ thống")
def roots(request):
    pem = "".join(r.certificate_pem for r in TrustedRoot.objects.order_by("pk"))
    return HttpResponse(pem, content_type="application/x-pem-file")


@router.post("", summary="Kiểm tra một tệp PDF có chữ ký số (PDF vào, JSON ra)")
def verify(request, file: File[UploadedFile]):
    if file.size > 20 * 1024 * 1024:
        raise TooLarge("Tệp lớn hơn 20 MB")
    return verify_upload(file.read())
