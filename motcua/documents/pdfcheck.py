"""Signature checks on an uploaded PDF, with no database and no Django: this module runs inside the
sandboxed worker processes (motcua/core/sandbox.py), so a crafted file can burn only a niced, killable
child's time, never a web thread's. The caller passes the trusted roots and CRLs."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field


@dataclass
class SignatureReport:
    field: str
    signer: str
    signed_at: str
    intact: bool
    valid: bool
    trusted: bool
    revoked: bool
    covers_whole_file: bool
    timestamped: bool = False
    problems: list[str] = field(default_factory=list)
    # The moment itself; the caller formats it on the project's clock (motcua.core.clock.iso).
    signed_moment: dt.datetime | None = None

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted and not self.revoked and self.covers_whole_file


def check_signatures(data: bytes, roots_pem: list[str], crls_der: list[bytes]) -> list[SignatureReport]:
    """Check every signature of a PDF against the given roots; explain failures in plain Vietnamese."""
    from asn1crypto import crl as asn1_crl
    from asn1crypto import pem as asn1_pem
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    roots = [asn1_x509.Certificate.load(asn1_pem.unarmor(pem.encode())[2]) for pem in roots_pem]
    crls = [asn1_crl.CertificateList.load(der) for der in crls_der]
    context = ValidationContext(trust_roots=roots, crls=crls, allow_fetching=False, revocation_mode="hard-fail")
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    reports = []
    signatures = reader.embedded_signatures
    for index, embedded in enumerate(signatures):
        status = validate_pdf_signature(embedded, context)
        cert = status.signing_cert
        signer = cert.subject.native.get("common_name", "") if cert is not None else ""
        revoked = bool(getattr(status, "revoked", False))
        last = index == len(signatures) - 1
        whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE or (
            not last and status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
        )
        report = SignatureReport(
            field=embedded.field_name,
            signer=signer,
            signed_at=status.signer_reported_dt.isoformat() if status.signer_reported_dt else "",
            signed_moment=status.signer_reported_dt,
            intact=status.intact,
            valid=status.valid,
            trusted=status.trusted,
            revoked=revoked,
            covers_whole_file=whole,
            timestamped=status.timestamp_validity is not None,
        )
        if status.timestamp_validity is not None:
            report.signed_at = status.timestamp_validity.timestamp.isoformat()
            report.signed_moment = status.timestamp_validity.timestamp
            if not (status.timestamp_validity.intact and status.timestamp_validity.valid):
                report.problems.append("Dấu thời gian của chữ ký không hợp lệ.")
        if not status.intact:
            report.problems.append("Nội dung tệp đã bị sửa sau khi ký: chữ ký không còn khớp với tài liệu.")
        elif not status.valid:
            report.problems.append("Chữ ký số không hợp lệ về mặt mật mã.")
        if revoked:
            report.problems.append("Chứng thư số của người ký đã bị thu hồi.")
        elif status.intact and status.valid and not status.trusted:
            report.problems.append("Chứng thư số không do tổ chức được tin cậy cấp (không nối được tới chứng thư gốc).")
        if not whole:
            report.problems.append("Sau chữ ký cuối, tệp còn có phần được thêm vào không được ký.")
        reports.append(report)
    return reports
