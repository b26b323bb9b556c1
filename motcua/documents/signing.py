"""PAdES signatures with pyHanko. Keys come from a signer interface with two implementations: a PKCS#12
file (the demo) and PKCS#11 (USB tokens, HSMs). Verification checks the signatures against our trusted
roots and CRLs, offline."""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from asn1crypto import crl as asn1_crl
from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.utils import timezone
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import ValidationContext

from motcua.core import clock
from motcua.core.glyphs import ensure_printable

from .models import SignerBackend, SigningIdentity, TrustedRoot
from .pdfcheck import SignatureReport, check_signatures


class SigningUnavailable(Exception):
    """No usable key for this signer: the message says what to configure."""


@lru_cache(maxsize=1)
def _font_path() -> str:
    import fontpkg_be_vietnam_pro

    return str(Path(fontpkg_be_vietnam_pro.__file__).parent / "files" / "BeVietnamPro-Regular.ttf")


def signer_for(identity: SigningIdentity) -> signers.Signer:
    """The pyHanko signer for an identity: a PKCS#12 file, or a key on a PKCS#11 token."""
    if identity.backend == SignerBackend.PKCS12:
        path = Path(identity.pkcs12_path)
        if not path.exists():
            raise SigningUnavailable(f"Không tìm thấy tệp khóa {path.name}; chạy manage.py pki_demo_init")
        signer = signers.SimpleSigner.load_pkcs12(pfx_file=str(path), passphrase=settings.PKI_PASSPHRASE.encode())
        if signer is None:
            raise SigningUnavailable("Không mở được tệp PKCS#12 (sai mật khẩu PKI_PASSPHRASE?)")
        return signer
    if identity.backend == SignerBackend.PKCS11:
        return _pkcs11_signer(identity)
    raise SigningUnavailable(f"Không hỗ trợ kiểu khóa {identity.backend}")


def _pkcs11_signer(identity: SigningIdentity) -> signers.Signer:
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign import pkcs11 as hanko_pkcs11

    if not identity.pkcs11_module or not Path(identity.pkcs11_module).exists():
        raise SigningUnavailable("Chưa cấu hình thư viện PKCS#11 của USB token/HSM (pkcs11_module)")
    try:
        session = hanko_pkcs11.open_pkcs11_session(
            identity.pkcs11_module,
            token_criteria=TokenCriteria(label=identity.pkcs11_token_label),
            user_pin=settings.PKCS11_PIN or None,
        )
    except Exception as exc:  # the token library raises its own kinds: no token, wrong PIN, locked
        raise SigningUnavailable(f"Không mở được token «{identity.pkcs11_token_label}»: {exc}") from exc
    return hanko_pkcs11.PKCS11Signer(
        session,
        key_label=identity.pkcs11_key_label,
        cert_label=identity.pkcs11_key_label,
        other_certs_to_pull=(),
        bulk_fetch=False,
    )


@dataclass
class StampPlacement:
    page: int = 0
    box: tuple[int, int, int, int] = (300, 40, 560, 120)


def sign_pdf(
    pdf: bytes,
    identity: SigningIdentity,
    *,
    field_name: str,
    reason: str,
    location: str,
    verify_url: str,
    placement: StampPlacement | None = None,
) -> bytes:
    """Add a PAdES B-B signature with a visible stamp (signer, time, verification link)."""
    placement = placement or StampPlacement()
    # The stamp is drawn in Be Vietnam Pro too: a signer name it cannot draw is refused, never dropped.
    ensure_printable(identity.subject)
    ensure_printable(verify_url)
    signer = signer_for(identity)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    fields.append_signature_field(
        writer, fields.SigFieldSpec(sig_field_name=field_name, on_page=placement.page, box=placement.box)
    )
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=location,
        name=identity.subject,
    )
    style = TextStampStyle(
        # The visible time is Hà Nội time whatever the server's zone (pyHanko's own %(ts)s uses the machine's).
        stamp_text="Ký bởi: %(signer)s\nThời gian: %(local_ts)s\nXác thực: %(url)s",
        text_box_style=TextBoxStyle(font=GlyphAccumulatorFactory(_font_path()), font_size=7),
        timestamp_format="%H:%M %d/%m/%Y %z",
        border_width=1,
    )
    out = io.BytesIO()

    def run():
        signers.PdfSigner(meta, signer=signer, stamp_style=style, timestamper=timestamper()).sign_pdf(
            writer,
            output=out,
            appearance_text_params={
                "url": verify_url,
                "local_ts": clock.display(timezone.now(), "%H:%M %d/%m/%Y %z"),
            },
        )

    _outside_event_loop(run)
    return out.getvalue()


def timestamper():
    """PAdES B-T needs a timestamp authority. `TSA_BACKEND=http` uses a real RFC 3161 service at
    `TSA_URL`; `simulator` (the demo, tests) is a local TSA with its own certificate under our demo root;
    empty signs B-B without a timestamp."""
    if settings.TSA_BACKEND == "http" and settings.TSA_URL:
        from pyhanko.sign.timestamps import HTTPTimeStamper

        return HTTPTimeStamper(settings.TSA_URL)
    if settings.TSA_BACKEND == "simulator":
        path = Path(settings.PKI_DIR) / "tsa.p12"
        if path.exists():
            return _simulated_tsa(str(path), path.stat().st_mtime)
    return None


@lru_cache(maxsize=2)
def _simulated_tsa(path: str, _mtime: float):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12
    from pyhanko.keys import load_private_key_from_pemder_data
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    key, cert, _chain = pkcs12.load_key_and_certificates(Path(path).read_bytes(), settings.PKI_PASSPHRASE.encode())
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    tsa_cert = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    return DummyTimeStamper(tsa_cert=tsa_cert, tsa_key=load_private_key_from_pemder_data(key_pem, passphrase=None))


def _outside_event_loop(fn):
    """pyHanko drives its signers with asyncio.run(), which cannot start inside a running event loop
    (an ASGI server, a test harness); then the signing runs in a short-lived thread."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn).result()


# --- verification -------------------------------------------------------------------------------------
class VerificationTooSlow(Exception):
    """The file took longer than VERIFY_TIMEOUT_SECONDS to check (a crafted or pathological PDF)."""


def validation_context() -> ValidationContext:
    roots = [load_cert_from_pemder_text(r.certificate_pem) for r in TrustedRoot.objects.all()]
    crls = [asn1_crl.CertificateList.load(bytes(r.crl_der)) for r in TrustedRoot.objects.all() if r.crl_der]
    return ValidationContext(trust_roots=roots, crls=crls, allow_fetching=False, revocation_mode="hard-fail")


def load_cert_from_pemder_text(text: str):
    _type, _headers, der = asn1_pem.unarmor(text.encode())
    return asn1_x509.Certificate.load(der)


def verify_pdf(data: bytes) -> list[SignatureReport]:
    """Check every signature of a PDF against our trusted roots, in a sandbox process with a hard time
    limit (motcua/core/sandbox.py). Raises VerificationTooSlow past the limit, ValueError for a file
    that cannot be read, Busy when every sandbox slot is taken."""
    from motcua.core import sandbox

    roots = list(TrustedRoot.objects.order_by("pk").values_list("certificate_pem", "crl_der"))
    try:
        reports = sandbox.run(
            check_signatures,
            data,
            [pem for pem, _crl in roots],
            [bytes(crl) for _pem, crl in roots if crl],
            timeout=settings.VERIFY_TIMEOUT_SECONDS,
        )
    except sandbox.SandboxTimeout as exc:
        raise VerificationTooSlow(str(exc)) from exc
    except sandbox.SandboxFailed as exc:
        raise ValueError(str(exc)) from exc
    for report in reports:  # the child has no Django: moments are put on the one clock here
        report.signed_at = clock.iso(report.signed_moment) or ""
    return reports
