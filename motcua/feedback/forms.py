from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.core.inputs import CleanInputMixin

from .models import Category


class FeedbackForm(CleanInputMixin, forms.Form):
    """The portal's feedback form. Every rule is the service's (feedback_submit); the form reads the boxes."""

    category = forms.ChoiceField(
        label=_("Bạn phản ánh, kiến nghị về việc gì?"),
        choices=Category.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Chọn bạn phản ánh về việc gì")},
    )
    subject = forms.CharField(
        label=_("Tiêu đề"),
        max_length=200,
        help_text=_("Một câu ngắn, ví dụ: Hồ sơ khai sinh quá hẹn chưa có kết quả"),
        error_messages={"required": _("Nhập tiêu đề")},
    )
    text = forms.CharField(
        label=_("Nội dung phản ánh, kiến nghị"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Nhập nội dung phản ánh, kiến nghị")},
    )
    dossier_code = forms.CharField(
        label=_("Mã hồ sơ"),
        required=False,
        max_length=60,
        help_text=_("Nếu phản ánh về một hồ sơ, ghi mã trên giấy biên nhận"),
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
    )
    procedure_code = forms.CharField(
        label=_("Mã thủ tục"),
        required=False,
        max_length=40,
        help_text=_("Nếu phản ánh về một thủ tục, ví dụ 1.001193"),
        widget=forms.TextInput(attrs={"spellcheck": "false", "inputmode": "decimal"}),
    )
    attachment = forms.FileField(
        label=_("Ảnh chụp hoặc tệp PDF"),
        required=False,
        help_text=_("Tệp PDF, JPG hoặc PNG, nhỏ hơn 10 MB"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*,.pdf"}),
    )
    publish_consent = forms.BooleanField(
        label=_("Tôi đồng ý công khai nội dung phản ánh và trả lời trên cổng (đã ẩn tên, số điện thoại của tôi)"),
        required=False,
    )
    sender_name = forms.CharField(
        label=_("Họ và tên"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
    )
    phone = forms.CharField(
        label=_("Số điện thoại di động"),
        max_length=20,
        help_text=_("Chúng tôi gửi mã xác minh tới số này và báo kết quả qua tin nhắn"),
        error_messages={"required": _("Nhập số điện thoại di động")},
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "spellcheck": "false"}),
    )

    def __init__(self, *args, signed_in: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if signed_in:
            del self.fields["sender_name"]
            del self.fields["phone"]


class RatingForm(CleanInputMixin, forms.Form):
    score = forms.ChoiceField(
        label=_("Bạn hài lòng với trả lời ở mức nào?"),
        choices=[
            (str(n), label)
            for n, label in (
                (5, _("5 — Rất hài lòng")),
                (4, _("4 — Hài lòng")),
                (3, _("3 — Bình thường")),
                (2, _("2 — Không hài lòng")),
                (1, _("1 — Rất không hài lòng")),
            )
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Chọn mức hài lòng từ 1 đến 5")},
    )
    comment = forms.CharField(
        label=_("Lý do"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
