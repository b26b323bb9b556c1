"""Demo data for the hotline log: a week's roster and two weeks of calls in the demo's first commune.
Idempotent: a second run adds nothing (rows are keyed by unit and moment / unit, date and shift)."""

import datetime as dt

from django.utils import timezone

from motcua.accounts.models import User
from motcua.places.models import AdministrativeUnit

from .models import Call, DutyShift, Outcome, Shift

DEMO_COMMUNE = "02839"
_CALLS = [  # (days ago, hour, topic, outcome, phone, summary, follow-up)
    (0, 8, "procedure", Outcome.ANSWERED, "0912111001", "Hỏi giấy tờ cần để đăng ký khai sinh cho con.", ""),
    (0, 21, "emergency", Outcome.TRANSFERRED, "0912111002", "Báo sạt lở đất trên đường vào thôn.", ""),
    (1, 9, "dossier", Outcome.FOLLOW_UP, "0912111003", "Hỏi hồ sơ chứng thực đã xong chưa.", "Gọi lại khi có kết quả."),
    (2, 14, "fee", Outcome.ANSWERED, "0912111004", "Hỏi lệ phí đăng ký kết hôn.", ""),
    (
        3,
        10,
        "complaint",
        Outcome.FOLLOW_UP,
        "0912111005",
        "Phản ánh phải chờ lâu ở bộ phận một cửa.",
        "Báo lãnh đạo xã.",
    ),
    (4, 16, "procedure", Outcome.ANSWERED, "0912111006", "Hỏi cách nộp hồ sơ trực tuyến.", ""),
    (6, 8, "procedure", Outcome.ANSWERED, "0912111007", "Hỏi giờ làm việc thứ Bảy.", ""),
    (9, 11, "other", Outcome.ANSWERED, "0912111008", "Hỏi số điện thoại trạm y tế xã.", ""),
]


def seed_hotline(stdout=None) -> int:
    unit = AdministrativeUnit.objects.filter(code=DEMO_COMMUNE, valid_to__isnull=True).first()
    day_officer = User.objects.filter(username="tiepnhan").first()
    night_officer = User.objects.filter(username="lanhdao").first()
    if unit is None or day_officer is None or night_officer is None:
        return 0
    today = timezone.localdate()
    for offset in range(-1, 7):
        date = today + dt.timedelta(days=offset)
        for shift, officer in ((Shift.DAY, day_officer), (Shift.NIGHT, night_officer)):
            DutyShift.objects.get_or_create(unit=unit, date=date, shift=shift, defaults={"officer": officer})
    created = 0
    for days, hour, topic, outcome, phone, summary, follow_up in _CALLS:
        moment = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=days), dt.time(hour, 5)))
        if moment > timezone.now():
            moment -= dt.timedelta(days=1)
        _call, new = Call.objects.get_or_create(
            unit=unit,
            received_at=moment,
            defaults={
                "caller_phone": phone,
                "topic": topic,
                "outcome": outcome,
                "summary": summary,
                "follow_up": follow_up,
                "officer": day_officer if 7 <= hour < 19 else night_officer,
            },
        )
        created += new
    if stdout is not None:
        stdout.write(f"Đường dây nóng mẫu: {created} cuộc gọi mới.")
    return created
