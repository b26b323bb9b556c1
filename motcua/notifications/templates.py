"""Vietnamese message templates, by name: the workflow data says which one an action or event sends
("notify"). Short: the SMS must fit in few segments. Values come with the payload (plain data)."""

TEMPLATES = {
    "submitted": (
        "Đã nhận hồ sơ {code}",
        "Hồ sơ {code} ({procedure}) đã được nộp. Hẹn trả: {due}. Theo dõi: {track}",
    ),
    "received_at_counter": (
        "Đã nhận hồ sơ {code}",
        "Hồ sơ {code} ({procedure}) đã được tiếp nhận. Hẹn trả: {due}. Theo dõi: {track}{activate}",
    ),
    "accepted": (
        "Hồ sơ {code} đã được tiếp nhận",
        "Hồ sơ {code} đã được cán bộ tiếp nhận và đang giải quyết. Hẹn trả: {due}.",
    ),
    "supplement_requested": (
        "Hồ sơ {code} cần bổ sung",
        "Hồ sơ {code} cần bổ sung: {note}. Vui lòng bổ sung tại {track}",
    ),
    "refused": ("Hồ sơ {code} không được giải quyết", "Hồ sơ {code} không được giải quyết. Lý do: {note}"),
    "apology": (
        "Xin lỗi về hồ sơ {code}",
        "Xin lỗi ông/bà: hồ sơ {code} chưa kịp trả đúng hẹn. Lý do: {note}. Ngày hẹn mới: {due}.",
    ),
    "result_signed": ("Hồ sơ {code} đã có kết quả", "Hồ sơ {code} đã được ký kết quả và sắp được trả."),
    "result_returned": (
        "Đã trả kết quả hồ sơ {code}",
        "Hồ sơ {code} đã có kết quả ({method}). Mời đánh giá mức hài lòng tại {track}",
    ),
    "stopped": ("Dừng giải quyết hồ sơ {code}", "Cơ quan đã dừng giải quyết hồ sơ {code}. Lý do: {note}"),
    "withdrawn": ("Đã rút hồ sơ {code}", "Bạn đã rút hồ sơ {code}."),
    "fee_set": (
        "Hồ sơ {code} cần nộp phí, lệ phí",
        "Hồ sơ {code} cần nộp {note}. Thanh toán tại {track} hoặc tại Bộ phận Một cửa.",
    ),
    "due_recalculated": (
        "Hồ sơ {code} có hạn trả mới",
        "Hồ sơ {code}: hạn trả kết quả nay là {due} do {note}. Theo dõi: {track}",
    ),
    # Deadline alerts to officers (motcua/alerts): the dossier page is the link.
    "alert_due_soon": (
        "Hồ sơ {code} sắp đến hạn",
        "Hồ sơ {code} ({procedure}) đến hạn trả kết quả lúc {due}, còn chưa đến một ngày làm việc. Xem: {track}",
    ),
    "alert_step_due_soon": (
        "Bước {note} của hồ sơ {code} sắp đến hạn",
        "Bước {note} của hồ sơ {code} ({procedure}) đến hạn lúc {due}, còn chưa đến một ngày làm việc. Xem: {track}",
    ),
    "alert_overdue": (
        "Hồ sơ {code} đã quá hạn",
        "Hồ sơ {code} ({procedure}) đã quá hạn trả kết quả (hạn {due}). Xem: {track}",
    ),
    "alert_step_overdue": (
        "Bước {note} của hồ sơ {code} đã quá hạn",
        "Bước {note} của hồ sơ {code} ({procedure}) đã quá hạn (hạn {due}). Xem: {track}",
    ),
    "alert_apology": (
        "Hồ sơ {code}: sắp hết hạn gửi văn bản xin lỗi",
        "Hồ sơ {code} ({procedure}) đến hạn lúc {due}. Nếu không kịp trả kết quả, hãy gửi văn bản xin lỗi và "
        "hẹn lại ngày trả (Mẫu 04) trước {note}; chỉ được hẹn lại một lần. Xem: {track}",
    ),
    "alert_digest": (
        "Tình hình hồ sơ sáng {due}",
        "{note} Xem: {track}",
    ),
}
METHODS = {"counter": "nhận tại Bộ phận Một cửa", "post": "gửi qua bưu chính", "online": "bản điện tử trong tài khoản"}
VALUES = ("code", "procedure", "due", "note", "track", "method", "activate")


class UnknownTemplate(KeyError):
    pass


def render(template: str, values: dict) -> tuple[str, str]:
    """(subject, body) of a named template with the payload's values (missing values print empty).
    Raises UnknownTemplate for a name no template has (a workflow file naming a template that does not
    exist is refused by a test, so this is a programming error)."""
    if template not in TEMPLATES:
        raise UnknownTemplate(template)
    filled = {key: str(values.get(key) or "") for key in VALUES}
    filled["method"] = METHODS.get(filled["method"], filled["method"])
    if filled["activate"]:
        filled["activate"] = " " + filled["activate"]
    subject, body = TEMPLATES[template]
    return subject.format(**filled), body.format(**filled)
