from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from motcua.core.inputs import CleanInputMixin


class LoginForm(CleanInputMixin, forms.Form):
    identifier = forms.CharField(
        label=_("Số điện thoại, số định danh cá nhân hoặc tên đăng nhập"),
        max_length=150,
        error_messages={"required": _("Nhập số điện thoại, số định danh cá nhân hoặc tên đăng nhập")},
        widget=forms.TextInput(attrs={"autocomplete": "username", "spellcheck": "false", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        error_messages={"required": _("Nhập mật khẩu")},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class TotpForm(CleanInputMixin, forms.Form):
    code = forms.CharField(
        label=_("Mã xác thực 6 chữ số"),
        help_text=_("Mở ứng dụng xác thực trên điện thoại và nhập mã đang hiển thị"),
        max_length=10,
        error_messages={"required": _("Nhập mã xác thực 6 chữ số")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}),
    )


class EnrolmentCodeForm(forms.Form):
    enrolment_code = forms.CharField(
        label=_("Mã đăng ký do quản trị viên cấp"),
        help_text=_("8 ký tự, ví dụ ABCD-2345; mỗi mã dùng được một lần"),
        max_length=20,
        error_messages={"required": _("Nhập mã đăng ký do quản trị viên cấp")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
    )


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("Mật khẩu hiện tại"),
        strip=False,
        error_messages={"required": _("Nhập mật khẩu hiện tại")},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("Mật khẩu mới"),
        strip=False,
        help_text=_("Ít nhất 8 ký tự, không toàn chữ số, không giống tên hay số điện thoại của bạn"),
        error_messages={"required": _("Nhập mật khẩu mới")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password_again = forms.CharField(
        label=_("Nhập lại mật khẩu mới"),
        strip=False,
        error_messages={"required": _("Nhập lại mật khẩu mới")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_old_password(self):
        value = self.cleaned_data["old_password"]
        if not self.user.check_password(value):
            raise forms.ValidationError(_("Mật khẩu hiện tại chưa đúng; hãy nhập lại"))
        return value

    def clean(self):
        data = super().clean()
        new, again = data.get("new_password"), data.get("new_password_again")
        if new and again and new != again:
            self.add_error("new_password_again", _("Hai lần nhập mật khẩu mới phải giống nhau"))
        elif new:
            try:
                password_validation.validate_password(new, self.user)
            except forms.ValidationError as exc:
                self.add_error("new_password", exc)
        return data
