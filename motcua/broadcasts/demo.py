"""Demo data for broadcasts: a Zalo group for every village of the demo communes, and the demo citizens'
phones subscribed to their own village. Idempotent (get_or_create on the unique keys)."""

from motcua.accounts.models import CitizenProfile
from motcua.places.models import VILLAGE_LEVEL, AdministrativeUnit

from .models import Source, Subscription, ZaloGroup

DEMO_COMMUNES = ("02839", "03037", "02761")


def seed_broadcasts(stdout=None) -> int:
    villages = AdministrativeUnit.objects.filter(
        parent__code__in=DEMO_COMMUNES, unit_type__in=VILLAGE_LEVEL, valid_to__isnull=True
    ).order_by("code")
    created = 0
    for village in villages:
        _group, new = ZaloGroup.objects.get_or_create(
            village=village, defaults={"group_id": f"demo-{village.code}", "name": f"Zalo {village.name}"}
        )
        created += new
    for profile in CitizenProfile.objects.filter(address_unit__in=villages).exclude(phone=""):
        _sub, new = Subscription.objects.get_or_create(
            village=profile.address_unit, phone=profile.phone, defaults={"source": Source.WEB}
        )
        created += new
    if stdout is not None:
        stdout.write(f"Phát tin tới thôn (mẫu): {created} nhóm Zalo và đăng ký mới.")
    return created
