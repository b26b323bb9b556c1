from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.core.inputs import CleanInputMixin, check_service_year

from .models import OverrideKind


class OverrideForm(CleanInputMixin, forms.Form):
    date = forms.DateField(
        label=_("Ngày"),
        help_text=_("Ví dụ 15/09/2026"),
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        error_messages={"required": _("Nhập ngày"), "invalid": _("Ngày phải có dạng ngày/tháng/năm, ví dụ 15/09/2026")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    kind = forms.ChoiceField(
        label=_("Loại"),
        choices=OverrideKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Chọn ngày nghỉ hoặc ngày làm việc bù")},
    )
    name = forms.CharField(
        label=_("Lý do"),
        max_length=200,
        help_text=_("Ví dụ: Nghỉ do bão số 3 theo công điện của UBND tỉnh"),
        error_messages={"required": _("Nhập lý do, ví dụ: Nghỉ do bão số 3")},
    )
    unit = forms.ChoiceField(
        label=_("Áp dụng cho địa bàn"),
        error_messages={
            "required": _("Chọn địa bàn"),
            "invalid_choice": _("Chọn một địa bàn trong danh sách (các địa bàn bạn quản trị)"),
        },
    )
    legal_basis = forms.CharField(label=_("Căn cứ (số văn bản)"), max_length=300, required=False)

    def clean_date(self):
        day = self.cleaned_data["date"]
        return check_service_year(day)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "—")] + [(u.code, u.name) for u in units]
