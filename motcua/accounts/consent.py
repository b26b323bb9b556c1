"""The consent a citizen gives to the processing of their personal data (Decree 13/2023/NĐ-CP, Art. 11):
what is processed, why, for how long, and their rights. The text is versioned: each account keeps the
version it agreed to and when (`Consent`). A new text gets a new version; old versions stay here so the
text an account agreed to can always be shown."""

from django.utils.translation import gettext_lazy as _

CONSENT_VERSION = "2026-11-30"

# version → (title, paragraphs). Never edit a published version: add a new one and move CONSENT_VERSION.
CONSENT_TEXTS = {
    "2026-11-30": (
        _("Đồng ý xử lý dữ liệu cá nhân"),
        [
            _(
                "Dữ liệu được xử lý: họ và tên, số định danh cá nhân, ngày sinh, giới tính, số điện thoại, "
                "thư điện tử (nếu có), nơi ở, hồ sơ và giấy tờ bạn nộp."
            ),
            _(
                "Mục đích: xác minh bạn là ai, giải quyết thủ tục hành chính bạn yêu cầu, gửi thông báo về hồ sơ "
                "và thống kê kết quả phục vụ (không kèm tên bạn)."
            ),
            _(
                "Thời gian: tài khoản được giữ đến khi bạn đóng tài khoản. Hồ sơ thủ tục hành chính được lưu "
                "trữ theo thời hạn pháp luật về lưu trữ quy định, kể cả sau khi bạn đóng tài khoản."
            ),
            _(
                "Người xử lý: Ủy ban nhân dân cấp xã, cấp tỉnh nơi bạn nộp hồ sơ và cán bộ được giao giải quyết. "
                "Bạn xem được cán bộ nào đã mở hồ sơ của mình."
            ),
            _(
                "Quyền của bạn (Nghị định 13/2023/NĐ-CP): xem và tải dữ liệu của mình, đề nghị sửa, rút lại sự "
                "đồng ý bằng cách đóng tài khoản. Cần hỗ trợ, hãy gọi Bộ phận Một cửa."
            ),
        ],
    ),
}


def consent_text(version: str = CONSENT_VERSION) -> tuple[str, list[str]]:
    """(title, paragraphs) of a consent version. KeyError for an unknown version."""
    title, paragraphs = CONSENT_TEXTS[version]
    return str(title), [str(p) for p in paragraphs]
