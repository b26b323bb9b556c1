"""Payments: the bank account of each office, payment intents (what is owed, one per dossier and fee line),
the raw provider callbacks (stored before anything else happens), confirmed payments with their receipt
(biên lai) numbered per office and year, refunds, and bank-statement reconciliation runs.

Money is whole đồng in integer columns everywhere (PositiveBigIntegerField); there is no float in this app.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.core.models import TimeStampedModel
from motcua.dossiers.models import Dossier
from motcua.places.models import Office


class FeeCategory(models.TextChoices):
    # Different budget lines and separate receipts (Law on Fees and Charges 2015, Art. 3).
    LE_PHI = "le_phi", _("Lệ phí")
    PHI = "phi", _("Phí")


class IntentStatus(models.TextChoices):
    PENDING = "pending", _("Chờ thanh toán")
    PAID = "paid", _("Đã thanh toán")
    EXPIRED = "expired", _("Hết hạn thanh toán")
    CANCELLED = "cancelled", _("Đã hủy")
    REFUNDED = "refunded", _("Đã hoàn tiền")


class PaymentChannel(models.TextChoices):
    """How the money came; the national index (Decision 766, indicator 3.6) counts 1 and 2 as online."""

    NATIONAL_PORTAL = "national_portal", _("Nền tảng thanh toán của Cổng Dịch vụ công quốc gia")
    PROVINCIAL_GATEWAY = "provincial_gateway", _("Cổng thanh toán của tỉnh")
    DIRECT_TRANSFER = "direct_transfer", _("Chuyển khoản trực tiếp (VietQR)")
    CASH = "cash", _("Tiền mặt tại Bộ phận Một cửa")


ONLINE_CHANNELS = (PaymentChannel.NATIONAL_PORTAL, PaymentChannel.PROVINCIAL_GATEWAY, PaymentChannel.DIRECT_TRANSFER)


class PaymentAccount(TimeStampedModel):
    """Where an office's fees are paid: a NAPAS bank (BIN) and account, usually at the State Treasury's bank."""

    office = models.OneToOneField(Office, on_delete=models.CASCADE, related_name="payment_account")
    bank_bin = models.CharField(_("mã BIN ngân hàng (6 chữ số)"), max_length=6)
    bank_name = models.CharField(_("tên ngân hàng"), max_length=120)
    account_number = models.CharField(_("số tài khoản"), max_length=19)
    account_name = models.CharField(_("tên tài khoản"), max_length=120)
    intent_hours = models.PositiveIntegerField(_("thời hạn thanh toán (giờ)"), default=72)

    class Meta:
        verbose_name = _("tài khoản thu phí")
        verbose_name_plural = _("tài khoản thu phí")

    def __str__(self) -> str:
        return f"{self.office.code}: {self.bank_name} {self.account_number}"


class PaymentIntent(TimeStampedModel):
    """One amount owed for one fee line of a dossier. At most one pending intent per (dossier, line)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="payment_intents")
    line = models.CharField(max_length=40)
    category = models.CharField(max_length=10, choices=FeeCategory.choices, default=FeeCategory.LE_PHI)
    label = models.CharField(max_length=200)
    amount = models.PositiveBigIntegerField()
    breakdown = models.JSONField(default=dict, blank=True)
    reference = models.CharField(max_length=25, unique=True)
    status = models.CharField(max_length=10, choices=IntentStatus.choices, default=IntentStatus.PENDING)
    expires_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("khoản cần thanh toán")
        verbose_name_plural = _("khoản cần thanh toán")
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "line"], condition=Q(status="pending"), name="payment_intent_one_open_per_line"
            ),
            models.CheckConstraint(condition=Q(status__in=IntentStatus.values), name="payment_intent_status_known"),
        ]
        indexes = [models.Index(fields=["status", "expires_at"], name="payment_intent_status_exp")]

    def __str__(self) -> str:
        return f"{self.reference} {self.amount} ₫ ({self.status})"


class CallbackOutcome(models.TextChoices):
    RECEIVED = "received", _("Mới nhận")
    ACCEPTED = "accepted", _("Đã ghi nhận thanh toán")
    LATE = "late", _("Ghi nhận thanh toán sau khi hết hạn — cần cán bộ xem")
    DUPLICATE = "duplicate", _("Lặp lại (đã ghi nhận trước đó)")
    BAD_SIGNATURE = "bad_signature", _("Sai chữ ký — từ chối")
    WRONG_AMOUNT = "wrong_amount", _("Sai số tiền — cần cán bộ xem")
    UNKNOWN_REFERENCE = "unknown_reference", _("Không rõ mã thanh toán — cần cán bộ xem")
    INVALID = "invalid", _("Nội dung không đọc được — cần cán bộ xem")
    FAILED = "failed", _("Giao dịch không thành công")


class ProviderCallback(models.Model):
    """A provider's notification exactly as it came (raw body, selected headers), stored before it is acted
    on. A signed one is unique per (provider, transaction id); an unsigned or badly signed one is kept with
    no transaction id so that it can never take the place of the real notification."""

    provider = models.CharField(max_length=40)
    transaction_id = models.CharField(max_length=100, null=True, blank=True)
    raw_body = models.TextField()
    headers = models.JSONField(default=dict)
    signature_valid = models.BooleanField(default=False)
    reference = models.CharField(max_length=100, blank=True)
    amount = models.BigIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=CallbackOutcome.choices, default=CallbackOutcome.RECEIVED)
    intent = models.ForeignKey(PaymentIntent, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    needs_review = models.BooleanField(default=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(max_length=500, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "transaction_id"],
                condition=Q(transaction_id__isnull=False),
                name="provider_callback_unique_tx",
            )
        ]
        indexes = [models.Index(fields=["needs_review", "-received_at"], name="provider_callback_review")]

    def __str__(self) -> str:
        return f"{self.provider} {self.transaction_id or '-'} {self.outcome}"


class Payment(TimeStampedModel):
    """Money received for an intent (bank credit, gateway, national platform or cash). A confirmed payment is
    never dropped: one that arrives after its intent expired or was cancelled is recorded and flagged."""

    intent = models.ForeignKey(PaymentIntent, on_delete=models.PROTECT, related_name="payments")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    provider = models.CharField(max_length=40)
    transaction_id = models.CharField(max_length=100)
    channel = models.CharField(max_length=20, choices=PaymentChannel.choices)
    amount = models.PositiveBigIntegerField()
    paid_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    flagged = models.BooleanField(default=False)
    flag_reason = models.CharField(max_length=300, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    # Receipt (biên lai): number per office and year, given in the payment's transaction (no gaps);
    # the PDF is rendered and signed right after the commit and stored with its hash.
    receipt_year = models.PositiveSmallIntegerField()
    receipt_number = models.PositiveIntegerField()
    receipt_pdf = models.BinaryField(null=True, blank=True, editable=False)
    receipt_sha256 = models.CharField(max_length=64, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)
    refund_reason = models.CharField(max_length=500, blank=True)
    refunded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("khoản đã thu")
        verbose_name_plural = _("khoản đã thu")
        constraints = [
            models.UniqueConstraint(fields=["provider", "transaction_id"], name="payment_unique_tx"),
            models.UniqueConstraint(
                fields=["office", "receipt_year", "receipt_number"], name="payment_receipt_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.receipt_label

    @property
    def receipt_label(self) -> str:
        return f"{self.receipt_number:07d}/{self.receipt_year}"


class ReceiptCounter(models.Model):
    """The last receipt number used by an office in a year; updated under a row lock so numbers have no gaps."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["office", "year"], name="receipt_counter_unique")]

    def __str__(self) -> str:
        return f"{self.office_id}/{self.year}: {self.last}"


class ReconciliationRun(models.Model):
    """One bank statement matched against our payments (command or officer page)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Đang chờ")
        RUNNING = "running", _("Đang đối soát")
        DONE = "done", _("Đã xong")
        FAILED = "failed", _("Lỗi")

    office = models.ForeignKey(Office, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(max_length=200)
    statement = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict)
    # [{"kind", "reference", "transaction_id", "statement_amount", "our_amount", "line", "note"}, …]
    differences = models.JSONField(default=list)
    error = models.CharField(max_length=500, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, self.processed * 100 // self.total)


class SimulatedBankCredit(models.Model):
    """The simulators' own ledger (demo and tests only): what the simulated bank, gateway or national
    platform says it received, so that a status query and a statement export have something true to read."""

    provider = models.CharField(max_length=40)
    transaction_id = models.CharField(max_length=100, unique=True)
    reference = models.CharField(max_length=100)
    amount = models.PositiveBigIntegerField()
    paid_at = models.DateTimeField()
    note = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.provider} {self.transaction_id}"
