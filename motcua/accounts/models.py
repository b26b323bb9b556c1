"""One user model; the citizen profile; staff roles granted on administrative units; login throttling
and API tokens."""

import datetime as dt
import uuid

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.core.models import TimeStampedModel
from motcua.places.models import AdministrativeUnit


class User(AbstractUser):
    """Everyone who logs in. Citizens log in with phone or citizen ID; officers with their username."""

    full_name = models.CharField(_("họ và tên"), max_length=150, blank=True)
    # Unique when present: the phone is a login identifier.
    phone = models.CharField(_("số điện thoại"), max_length=15, null=True, blank=True, unique=True)
    totp_secret = models.CharField(max_length=64, blank=True, editable=False)
    totp_confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The last TOTP time step accepted: a code is good once, never again within its window.
    totp_last_step = models.BigIntegerField(null=True, blank=True, editable=False)
    # Part of the session hash and of every API token: changing it ends every session and token.
    session_stamp = models.CharField(max_length=32, blank=True, editable=False)

    objects = UserManager()

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.name_shown(self.full_name, self.first_name, self.last_name, self.username)

    @staticmethod
    def name_shown(full_name: str, first_name: str, last_name: str, username: str) -> str:
        """How a person is named on pages: the full name, else "first last" (Django's get_full_name), else the
        username. `display_name`, and the worklist's rows, which read the four columns without an instance."""
        return full_name or f"{first_name} {last_name}".strip() or username

    def _get_session_auth_hash(self, secret=None):
        # Django's hash covers the password; ours also covers the session stamp, so an administrator
        # (or the user) can end every session without changing the password.
        from django.utils.crypto import salted_hmac

        return salted_hmac(
            "motcua.accounts.User.get_session_auth_hash",
            f"{self.password}|{self.session_stamp}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class Gender(models.TextChoices):
    MALE = "male", _("Nam")
    FEMALE = "female", _("Nữ")


class IdentityLevel(models.IntegerChoices):
    NONE = 0, _("Chưa định danh điện tử")
    LEVEL1 = 1, _("Định danh điện tử mức 1")
    LEVEL2 = 2, _("Định danh điện tử mức 2")


class CitizenProfile(TimeStampedModel):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="citizen")
    full_name = models.CharField(_("họ và tên"), max_length=150)
    citizen_id = models.CharField(_("số định danh cá nhân"), max_length=12, unique=True)
    birth_date = models.DateField(_("ngày sinh"))
    gender = models.CharField(_("giới tính"), max_length=10, choices=Gender.choices)
    phone = models.CharField(_("số điện thoại"), max_length=15, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    address_unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("nơi ở (đơn vị hành chính)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    street = models.CharField(_("số nhà, đường, thôn/xóm"), max_length=200, blank=True)
    identity_level = models.PositiveSmallIntegerField(
        _("mức định danh điện tử"), choices=IdentityLevel.choices, default=IdentityLevel.NONE
    )

    class Meta:
        verbose_name = _("hồ sơ công dân")
        verbose_name_plural = _("hồ sơ công dân")

    def __str__(self) -> str:
        return self.full_name


class Role(models.TextChoices):
    INTAKE_OFFICER = "intake_officer", _("Công chức tiếp nhận và trả kết quả")
    SPECIALIST = "specialist", _("Chuyên viên thẩm định")
    LEADER = "leader", _("Lãnh đạo")
    TEAM_MEMBER = "team_member", _("Thành viên Tổ công nghệ số cộng đồng")
    UNIT_ADMIN = "unit_admin", _("Quản trị cấp xã")
    PROVINCE_ADMIN = "province_admin", _("Quản trị cấp tỉnh")


# Roles that work in the officer workspace and must use a second factor.
OFFICER_ROLES = frozenset({Role.INTAKE_OFFICER, Role.SPECIALIST, Role.LEADER, Role.UNIT_ADMIN, Role.PROVINCE_ADMIN})
ADMIN_ROLES = frozenset({Role.UNIT_ADMIN, Role.PROVINCE_ADMIN})


class Position(models.TextChoices):
    """A leader's office, which decides the capacity printed above their signature (DOMAIN.md §12)."""

    CHAIRMAN = "chairman", _("Chủ tịch")
    VICE_CHAIRMAN = "vice_chairman", _("Phó Chủ tịch")


class RoleGrantQuerySet(models.QuerySet):
    def active(self, on: dt.date | None = None):
        """Grants in force on the day (today by default): from `valid_from` to `valid_to`, both included.
        `RoleGrant.is_active_on` states the same rule for a grant in hand."""
        on = on or timezone.localdate()
        return self.filter(valid_from__lte=on).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))


class RoleGrant(TimeStampedModel):
    """A role on a unit. The scope is the unit and every unit below it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grants")
    role = models.CharField(_("vai trò"), max_length=32, choices=Role.choices)
    unit = models.ForeignKey(AdministrativeUnit, verbose_name=_("địa bàn"), on_delete=models.PROTECT, related_name="+")
    valid_from = models.DateField(_("từ ngày"), default=dt.date.today)
    valid_to = models.DateField(_("đến ngày"), null=True, blank=True)
    granted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # For leaders: chairman signs "TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH", a vice-chairman "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH".
    position = models.CharField(_("chức vụ"), max_length=20, choices=Position.choices, blank=True)

    objects = RoleGrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("phân quyền")
        verbose_name_plural = _("phân quyền")
        constraints = [models.UniqueConstraint(fields=["user", "role", "unit"], name="role_grant_unique")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.unit}"

    def is_active_on(self, day: dt.date) -> bool:
        """`RoleGrantQuerySet.active`'s rule for one grant: in force from `valid_from` to `valid_to`, both
        included (tests/test_confcache.py holds the two to the same answers)."""
        return self.valid_from <= day and (self.valid_to is None or self.valid_to >= day)


class LoginAttempt(models.Model):
    """Tries counted for throttling, one purpose each (login, totp, track, verify, ...): accounts/throttle.py.
    The key is stored hashed: the log must not become a list of citizens' ID and phone numbers."""

    purpose = models.CharField(max_length=20, default="login")
    identifier_hash = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True)
    succeeded = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["purpose", "identifier_hash", "created_at"], name="attempt_purpose_key"),
            models.Index(fields=["purpose", "ip_address", "created_at"], name="attempt_purpose_ip"),
            models.Index(fields=["created_at"], name="attempt_created"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%d/%m/%Y %H:%M} {'ok' if self.succeeded else 'fail'}"


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    # The user's session hash when the token was issued: a password change or "end all sessions"
    # changes it, and the token stops working at once.
    auth_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("mã truy cập API")
        verbose_name_plural = _("mã truy cập API")

    def __str__(self) -> str:
        return f"{self.user} (hết hạn {self.expires_at:%d/%m/%Y %H:%M})"


class TotpEnrolmentCode(models.Model):
    """A one-time code an administrator gives an officer to enrol an authenticator app. Knowing the
    officer's password is not enough to enrol a phone. Only the hash is stored; it expires."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="totp_enrolment_codes")
    code_hash = models.CharField(max_length=64)
    issued_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("mã đăng ký xác thực hai bước")
        verbose_name_plural = _("mã đăng ký xác thực hai bước")

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%d/%m/%Y %H:%M})"


class LoginChallenge(models.Model):
    """A code sent by SMS when an account has had many wrong passwords: the right password alone is
    no longer enough, so a guesser gains nothing while the owner can still log in."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%d/%m/%Y %H:%M})"


class CitizenLookup(models.Model):
    """Audit: an officer looked up a citizen at the counter (who, whom, when, from where)."""

    officer = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    citizen = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Hash of the ID typed, so lookups of IDs without an account are auditable without listing them.
    citizen_id_hash = models.CharField(max_length=64)
    purpose = models.CharField(max_length=20, default="counter")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("nhật ký tra cứu công dân")
        verbose_name_plural = _("nhật ký tra cứu công dân")
        indexes = [models.Index(fields=["officer", "created_at"], name="citizen_lookup_officer")]

    def __str__(self) -> str:
        return f"{self.officer} → {self.citizen or '?'} ({self.created_at:%d/%m/%Y %H:%M})"


class OneTimeCode(models.Model):
    """A 6-digit code sent by SMS to prove a phone (sign-up, claim, password recovery, assisted submission).

    The public id is the `verification_id` clients send back; only an HMAC of the code is stored. A code
    lives OTP_TTL_SECONDS, allows OTP_MAX_TRIES wrong tries and is used once (motcua/accounts/otp.py)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    purpose = models.CharField(max_length=20)
    phone = models.CharField(max_length=15)
    code_hash = models.CharField(max_length=64)
    # What the confirmation will do (e.g. the sign-up details, the password already hashed). Kept only
    # until the code is used or pruned; `refused` marks a request that got an explanation, not a code.
    payload = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("mã xác minh một lần")
        verbose_name_plural = _("mã xác minh một lần")
        indexes = [models.Index(fields=["purpose", "phone", "created_at"], name="otp_purpose_phone")]

    def __str__(self) -> str:
        return f"{self.purpose} ({self.created_at:%d/%m/%Y %H:%M})"


class Consent(models.Model):
    """A citizen's consent to the processing of personal data: which text version, when, how given
    (Decree 13/2023/NĐ-CP keeps the proof of consent). Append-only; closing the account withdraws it."""

    class Source(models.TextChoices):
        SIGNUP = "signup", _("Đăng ký trực tuyến")
        ACTIVATION = "activation", _("Kích hoạt tài khoản lập tại quầy")
        VNEID = "vneid", _("Đăng nhập VNeID")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="consents")
    version = models.CharField(_("phiên bản nội dung"), max_length=20)
    source = models.CharField(_("cách đồng ý"), max_length=20, choices=Source.choices)
    given_at = models.DateTimeField(_("thời điểm đồng ý"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("thời điểm rút lại"), null=True, blank=True)

    class Meta:
        verbose_name = _("sự đồng ý xử lý dữ liệu cá nhân")
        verbose_name_plural = _("sự đồng ý xử lý dữ liệu cá nhân")
        ordering = ["-given_at"]

    def __str__(self) -> str:
        return f"{self.user} — {self.version} ({self.given_at:%d/%m/%Y %H:%M})"


class DossierAccess(models.Model):
    """An officer opened a citizen's dossier or one of its files (who, when, what). Written on every
    officer read and shown to the citizen (Decree 13/2023/NĐ-CP: the subject may know who processed
    their data). Append-only."""

    citizen = models.ForeignKey(User, on_delete=models.CASCADE, related_name="dossier_accesses")
    officer = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    dossier_code = models.CharField(_("mã hồ sơ"), max_length=40)
    what = models.CharField(_("nội dung xem"), max_length=200)
    created_at = models.DateTimeField(_("thời điểm"), default=timezone.now)

    class Meta:
        verbose_name = _("nhật ký cán bộ xem hồ sơ")
        verbose_name_plural = _("nhật ký cán bộ xem hồ sơ")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["citizen", "created_at"], name="dossier_access_citizen")]

    def __str__(self) -> str:
        return f"{self.officer} → {self.dossier_code} ({self.created_at:%d/%m/%Y %H:%M})"
