"""Signing identities and trusted roots, signed result documents, and the citizen's document store."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.places.models import Office


class TrustedRoot(models.Model):
    """A root certificate our signatures chain to, with its latest CRL (published for verifiers)."""

    name = models.CharField(max_length=200)
    certificate_pem = models.TextField()
    crl_der = models.BinaryField(blank=True, default=b"")
    crl_updated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("chứng thư gốc tin cậy")
        verbose_name_plural = _("chứng thư gốc tin cậy")

    def __str__(self) -> str:
        return self.name


class SignerBackend(models.TextChoices):
    PKCS12 = "pkcs12", _("Tệp PKCS#12")
    PKCS11 = "pkcs11", _("USB token / HSM (PKCS#11)")


class SigningIdentity(models.Model):
    """Where a person's or an agency's signing key lives. Keys never enter the database: a PKCS#12 file
    on disk (the demo) or a PKCS#11 token (USB token, HSM)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="signing_identities"
    )
    office = models.ForeignKey(
        Office, null=True, blank=True, on_delete=models.CASCADE, related_name="signing_identities"
    )
    backend = models.CharField(max_length=10, choices=SignerBackend.choices, default=SignerBackend.PKCS12)
    pkcs12_path = models.CharField(max_length=300, blank=True)
    pkcs11_module = models.CharField(max_length=300, blank=True)
    pkcs11_token_label = models.CharField(max_length=100, blank=True)
    pkcs11_key_label = models.CharField(max_length=100, blank=True)
    certificate_pem = models.TextField()
    subject = models.CharField(max_length=300)
    serial = models.CharField(max_length=64)
    not_after = models.DateTimeField()
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("chứng thư ký số")
        verbose_name_plural = _("chứng thư ký số")
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(office__isnull=False), name="identity_has_owner"
            ),
            models.UniqueConstraint(
                fields=["user"], condition=Q(active=True, user__isnull=False), name="identity_one_per_user"
            ),
            models.UniqueConstraint(
                fields=["office"], condition=Q(active=True, office__isnull=False), name="identity_one_per_office"
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class ResultStatus(models.TextChoices):
    VALID = "valid", _("Còn hiệu lực")
    REVOKED = "revoked", _("Đã thu hồi")
    SUPERSEDED = "superseded", _("Đã được thay thế")


def _public_code() -> str:
    return secrets.token_urlsafe(9)


class DossierPaperQuerySet(models.QuerySet):
    """Papers issued for a dossier (results, forms) are seen by whoever may see the dossier."""

    def visible_to(self, user):
        """The one door for reading them: `Dossier.objects.visible_to`'s rule through the `dossier`
        relation; anything else is the same 404 as a missing paper."""
        from motcua.dossiers.models import visible_dossiers_condition

        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(visible_dossiers_condition(user, "dossier__"))


class StoredDocumentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The citizen's store is theirs alone (shared copies go through a share link, not this door)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(owner=user)


class ResultDocument(models.Model):
    """A signed electronic result (or certified copy) issued for a dossier."""

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.PROTECT, related_name="results")
    public_code = models.CharField(max_length=32, unique=True, default=_public_code)
    title = models.CharField(max_length=300)
    doc_type = models.CharField(max_length=60, blank=True)
    file = models.FileField(upload_to="results/%Y/%m", max_length=200)
    sha256 = models.CharField(max_length=64, db_index=True)
    pages = models.PositiveIntegerField(default=1)
    signed_at = models.DateTimeField()
    signer_name = models.CharField(max_length=200)
    agency_signed = models.BooleanField(default=False)
    status = models.CharField(max_length=12, choices=ResultStatus.choices, default=ResultStatus.VALID)
    status_reason = models.TextField(blank=True)
    superseded_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DossierPaperQuerySet.as_manager()

    class Meta:
        verbose_name = _("kết quả điện tử")
        verbose_name_plural = _("kết quả điện tử")
        ordering = ["-signed_at"]

    def __str__(self) -> str:
        return f"{self.title} ({self.dossier})"


class IssuedForm(models.Model):
    """A one-stop form (receipt, supplement request, refusal, apology, stop notice, tracking form) issued
    at its event. What it says (`facts`) is frozen in the event's transaction; the PDF is rendered and
    signed once right after the commit (outside the write lock), then served as stored. A later event
    issues a new form that supersedes the earlier one, which is kept."""

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.PROTECT, related_name="issued_forms")
    event = models.ForeignKey("dossiers.DossierEvent", on_delete=models.PROTECT, related_name="issued_forms")
    form = models.CharField(max_length=12)
    title = models.CharField(max_length=200)
    facts = models.JSONField(default=dict)
    file = models.FileField(upload_to="forms/%Y/%m", max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    signer_name = models.CharField(max_length=200, blank=True)
    signed = models.BooleanField(default=False)
    supersedes = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DossierPaperQuerySet.as_manager()

    class Meta:
        verbose_name = _("phiếu đã cấp")
        verbose_name_plural = _("phiếu đã cấp")
        ordering = ["dossier", "created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["event", "form"], name="issued_form_once_per_event")]

    def __str__(self) -> str:
        return f"{self.title} ({self.dossier})"

    @property
    def is_ready(self) -> bool:
        return bool(self.sha256)


class RegisterCounter(models.Model):
    """The last entry number of an office's register of dossiers (Sổ theo dõi hồ sơ) in a year; the
    entry is printed on Form 01."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["office", "year"], name="register_counter_unique")]

    def __str__(self) -> str:
        return f"{self.office} {self.year}: {self.last}"


class StoredDocument(models.Model):
    """An entry of the citizen's document store (kho dữ liệu): an e-result or a digitised document."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stored_documents")
    doc_type = models.CharField(max_length=60, blank=True)
    title = models.CharField(max_length=300)
    result = models.ForeignKey(ResultDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    attachment = models.ForeignKey(
        "dossiers.Attachment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sha256 = models.CharField(max_length=64)
    source_dossier = models.ForeignKey(
        "dossiers.Dossier", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = StoredDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("giấy tờ trong kho dữ liệu")
        verbose_name_plural = _("giấy tờ trong kho dữ liệu")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["owner", "sha256"], name="stored_document_once")]

    def __str__(self) -> str:
        return self.title

    @property
    def file(self):
        return self.result.file if self.result_id else self.attachment.file

    @property
    def content_type(self) -> str:
        return "application/pdf" if self.result_id else self.attachment.content_type


class DocumentUse(models.Model):
    document = models.ForeignKey(StoredDocument, on_delete=models.CASCADE, related_name="uses")
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="+")
    used_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["document", "dossier"], name="document_use_once")]

    def __str__(self) -> str:
        return f"{self.document} → {self.dossier}"


def _share_token() -> str:
    return secrets.token_urlsafe(24)


class ShareLink(models.Model):
    document = models.ForeignKey(StoredDocument, on_delete=models.CASCADE, related_name="share_links")
    token = models.CharField(max_length=64, unique=True, default=_share_token)
    expires_at = models.DateTimeField()
    revoked = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    downloads = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.document} đến {self.expires_at:%d/%m/%Y %H:%M}"
