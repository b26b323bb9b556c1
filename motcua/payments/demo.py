"""Demo data: a (made-up) collection account for every demo office, so VietQR codes can be drawn."""

import re

from motcua.places.models import Office

from .models import PaymentAccount
from .vietqr import ascii_text

DEMO_BANK_BIN = "970415"  # VietinBank's NAPAS BIN; the account numbers below are invented


def seed_payment_accounts(stdout=None) -> int:
    count = 0
    for office in Office.objects.filter(is_active=True).select_related("unit"):
        digits = re.sub(r"[^0-9]", "", office.agency_code)
        _account, created = PaymentAccount.objects.get_or_create(
            office=office,
            defaults={
                "bank_bin": DEMO_BANK_BIN,
                "bank_name": "VietinBank (tài khoản mô phỏng)",
                "account_number": ("1130" + digits)[:19],
                "account_name": ascii_text("UBND " + office.unit.name, 60).upper(),
            },
        )
        count += created
    if stdout is not None:
        stdout.write(f"Tài khoản thu phí mô phỏng: {count} mới.")
    return count
