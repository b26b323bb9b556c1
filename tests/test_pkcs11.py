"""The PKCS#11 signer path, exercised against SoftHSM 2 (a software token with the same PKCS#11
interface as USB tokens and HSMs): the officer's key is imported into a token and a result is signed
from it."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from django.conf import settings

from motcua.documents.models import SignerBackend, SigningIdentity
from motcua.documents.signing import SigningUnavailable, StampPlacement, sign_pdf, signer_for, verify_pdf

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
tools_missing = not (Path(MODULE).exists() and shutil.which("softhsm2-util") and shutil.which("pkcs11-tool"))
pytestmark = pytest.mark.skipif(
    tools_missing and os.environ.get("MOTCUA_REQUIRE_BROWSER") != "1",
    reason="SoftHSM 2 and OpenSC are not installed (scripts/install-test-tools.sh)",
)


@pytest.fixture
def token(tmp_path, staff, monkeypatch):
    (tmp_path / "tokens").mkdir()
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tmp_path / 'tokens'}\nobjectstore.backend = file\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(conf))
    run = lambda *args: subprocess.run(args, check=True, capture_output=True)  # noqa: E731
    run("softhsm2-util", "--init-token", "--free", "--label", "motcua", "--pin", "123456", "--so-pin", "654321")
    identity = SigningIdentity.objects.get(user=staff["lanhdao"], active=True)
    key, cert, _chain = pkcs12.load_key_and_certificates(
        Path(identity.pkcs12_path).read_bytes(), settings.PKI_PASSPHRASE.encode()
    )
    key_file, cert_file = tmp_path / "key.der", tmp_path / "cert.der"
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.DER))
    for kind, path in (("privkey", key_file), ("cert", cert_file)):
        run(
            "pkcs11-tool",
            "--module",
            MODULE,
            "--token-label",
            "motcua",
            "--login",
            "--pin",
            "123456",
            "--write-object",
            str(path),
            "--type",
            kind,
            "--id",
            "01",
            "--label",
            "lanhdao",
        )
    identity.active = False
    identity.save()
    return SigningIdentity.objects.create(
        user=staff["lanhdao"],
        backend=SignerBackend.PKCS11,
        pkcs11_module=MODULE,
        pkcs11_token_label="motcua",
        pkcs11_key_label="lanhdao",
        certificate_pem=identity.certificate_pem,
        subject=identity.subject,
        serial=identity.serial,
        not_after=identity.not_after,
    )


def test_signing_from_a_pkcs11_token(token, settings):
    settings.PKCS11_PIN = "123456"
    from motcua.documents.pdf import Page

    page = Page()
    page.text("Kết quả ký bằng token PKCS#11")
    pdf = page.finish("Thử PKCS#11")
    signed = sign_pdf(
        pdf,
        token,
        field_name="ChuKy",
        reason="Thử",
        location="Bắc Hà",
        verify_url="http://127.0.0.1/x",
        placement=StampPlacement(page=0, box=(200, 40, 400, 100)),
    )
    [report] = verify_pdf(signed)
    assert report.ok and report.signer == "lanhdao"


def test_wrong_pin_or_missing_library_explain_themselves(token, settings):
    settings.PKCS11_PIN = "000000"
    with pytest.raises(SigningUnavailable, match="Không mở được token"):
        signer_for(token)
    token.pkcs11_module = "/khong/co/thu-vien.so"
    with pytest.raises(SigningUnavailable, match="thư viện PKCS#11"):
        signer_for(token)
