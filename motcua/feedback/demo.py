"""Demo feedback (seed_demo): a few items in every state a visitor should see, once. Running the seed again
adds nothing (items are recognised by their subject)."""

import datetime as dt

from django.utils import timezone

from motcua.accounts.models import User

from .models import Feedback
from .services import feedback_escalate_overdue, feedback_rate, feedback_submit, feedback_transition

DEMO_ITEMS = [
    # (subject, category, text, sender username or phone, consent, days ago, steps)
    (
        "Quầy tiếp nhận đông, chờ lâu buổi sáng thứ Hai",
        "service",
        "Sáng thứ Hai tôi chờ hơn một tiếng mới đến lượt. Đề nghị bố trí thêm cán bộ vào đầu tuần.",
        "congdan1",
        True,
        9,
        ["assign", "answer", "rate", "publish"],
    ),
    (
        "Hướng dẫn nộp hồ sơ khai sinh trực tuyến chưa rõ",
        "procedure",
        "Trang nộp hồ sơ không nói rõ phải chụp giấy chứng sinh thế nào. Tôi là Giàng A Páo, 0987 000 111.",
        "0987000111",
        True,
        6,
        ["assign", "answer", "publish"],
    ),
    (
        "Cán bộ hẹn trả kết quả nhưng chưa gọi lại",
        "officer",
        "Cán bộ hứa gọi lại báo ngày nhận kết quả nhưng đã một tuần chưa thấy.",
        "congdan1",
        False,
        3,
        ["assign"],
    ),
    (
        "Đèn chiếu sáng trước trụ sở UBND xã bị hỏng",
        "other",
        "Đèn trước cổng trụ sở hỏng từ tuần trước, buổi tối đi làm thủ tục rất tối.",
        "0987000222",
        False,
        1,
        [],
    ),
    (
        "Đề nghị mở thêm giờ tiếp nhận chiều thứ Bảy",
        "service",
        "Người đi làm xa không thể đến trong giờ hành chính. Đề nghị mở cửa chiều thứ Bảy.",
        "congdan1",
        False,
        30,
        [],
    ),
]


def seed_feedback(stdout=None) -> int:
    """Create the demo items that are missing; the oldest is overdue and escalated to the leader."""
    leader = User.objects.filter(username="lanhdao").first()
    officer = User.objects.filter(username="chuyenvien").first()
    citizen = User.objects.filter(username="congdan1").first()
    if not (leader and officer and citizen):
        return 0
    created = 0
    now = timezone.now()
    for subject, category, text, sender, consent, days, steps in DEMO_ITEMS:
        if Feedback.objects.filter(subject=subject).exists():
            continue
        start = now - dt.timedelta(days=days)
        fb = feedback_submit(
            category=category,
            subject=subject,
            text=text,
            sender=citizen if sender == "congdan1" else None,
            phone=None if sender == "congdan1" else sender,
            sender_name="" if sender == "congdan1" else "Giàng A Páo",
            channel="portal" if sender == "congdan1" else "hotline",
            publish_consent=consent,
            now=start,
        )
        moment = start
        for step in steps:
            moment += dt.timedelta(hours=20)
            fb = Feedback.objects.get(pk=fb.pk)
            if step == "assign":
                feedback_transition(
                    code=fb.code,
                    action="assign",
                    actor=leader,
                    version=fb.version,
                    params={"assignee": officer.username},
                    now=moment,
                )
            elif step == "answer":
                feedback_transition(
                    code=fb.code,
                    action="answer",
                    actor=officer,
                    version=fb.version,
                    now=moment,
                    note="UBND xã đã tiếp thu, bố trí thêm một cán bộ tiếp nhận và cập nhật hướng dẫn trên cổng.",
                )
            elif step == "rate":
                feedback_rate(code=fb.code, user=citizen, score=5, comment="Trả lời nhanh, rõ ràng", now=moment)
            elif step == "publish":
                feedback_transition(code=fb.code, action="publish", actor=leader, version=fb.version, now=moment)
        created += 1
    escalated = feedback_escalate_overdue()
    if stdout is not None:
        stdout.write(f"Phản ánh, kiến nghị mẫu: {created} mới, {escalated} quá hạn đã báo lãnh đạo.")
    return created
