"""VNeID: the link between an account and its national electronic identity, and the provider simulator's
one-use authorization codes (used only in demo mode, where the project plays the VNeID provider)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class VneidLink(models.Model):
    """An account that has signed in with VNeID: the provider's subject, the level it last asserted."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="vneid")
    # The provider's stable identifier for the person (the `sub` claim), unique per issuer.
    issuer = models.CharField(max_length=200)
    subject = models.CharField(max_length=200)
    identity_level = models.PositiveSmallIntegerField(_("mức định danh điện tử"))
    linked_at = models.DateTimeField(_("liên kết lúc"))
    last_login_at = models.DateTimeField(_("đăng nhập VNeID gần nhất"))

    class Meta:
        verbose_name = _("liên kết VNeID")
        verbose_name_plural = _("liên kết VNeID")
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="vneid_link_subject_unique")]

    def __str__(self) -> str:
        return f"{self.user} (VNeID {self.identity_level})"


class SimulatorGrant(models.Model):
    """An authorization code issued by the VNeID simulator. Only its SHA-256 is stored; it is deleted on
    use and expires after a minute. The database is the one state every web process shares."""

    code_hash = models.CharField(max_length=64, unique=True)
    client_id = models.CharField(max_length=100)
    redirect_uri = models.CharField(max_length=500)
    scope = models.CharField(max_length=200, blank=True)
    nonce = models.CharField(max_length=200, blank=True)
    code_challenge = models.CharField(max_length=128, blank=True)
    code_challenge_method = models.CharField(max_length=10, blank=True)
    # The simulated person (their citizen ID in the simulator's population file).
    citizen_id = models.CharField(max_length=12)
    auth_time = models.PositiveBigIntegerField()
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["client_id", "nonce"], name="vneid_sim_nonce")]

    def __str__(self) -> str:
        return f"{self.client_id} {self.expires_at:%d/%m/%Y %H:%M}"
