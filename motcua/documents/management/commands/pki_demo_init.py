from django.core.management.base import BaseCommand

from motcua.accounts.models import OFFICER_ROLES, RoleGrant
from motcua.documents.services import pki_demo_init
from motcua.places.models import Office


class Command(BaseCommand):
    help = (
        "Tạo hạ tầng khóa thử nghiệm: chứng thư gốc, chứng thư cho từng cơ quan và từng cán bộ (tệp PKCS#12 "
        "trong PKI_DIR), địa chỉ CRL trên máy chủ này, không có OCSP. Chạy lại không tạo trùng."
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", action="append", help="chỉ cấp cho các tài khoản này")

    def handle(self, *args, **options):
        usernames = options["user"] or list(
            RoleGrant.objects.filter(role__in=OFFICER_ROLES).values_list("user__username", flat=True).distinct()
        )
        made = pki_demo_init(usernames=usernames, offices=list(Office.objects.filter(is_active=True)))
        self.stdout.write(f"Hạ tầng khóa thử nghiệm: {made['offices']} cơ quan, {made['users']} cán bộ được cấp mới.")
