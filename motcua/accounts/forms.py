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


GENDER_CHOICES = [("male", _("Nam")), ("female", _("Nữ"))]


def _phone_field(**kwargs):
    return forms.CharField(
        label=_("Số điện thoại di động"),
        max_length=20,
        error_messages={"required": _("Nhập số điện thoại di động")},
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "spellcheck": "false"}),
        **kwargs,
    )


def _new_password_field(label=None):
    return forms.CharField(
        label=label or _("Mật khẩu"),
        strip=False,
        help_text=_("Ít nhất 8 ký tự, không toàn chữ số, không giống tên hay số điện thoại của bạn"),
        error_messages={"required": _("Nhập mật khẩu")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


def _consent_field():
    return forms.BooleanField(
        label=_("Tôi đã đọc và đồng ý cho xử lý dữ liệu cá nhân như trên"),
        required=True,
        error_messages={"required": _("Hãy đánh dấu ô đồng ý xử lý dữ liệu cá nhân")},
    )


class RegisterForm(CleanInputMixin, forms.Form):
    """Sign-up (issue 16): every check is the service's (accounts.registration.register_clean); the form only
    reads the boxes, so the page and the API refuse the same things with the same words."""

    full_name = forms.CharField(
        label=_("Họ và tên"),
        max_length=150,
        help_text=_("Như trên căn cước"),
        error_messages={"required": _("Nhập họ và tên")},
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
    )
    citizen_id = forms.CharField(
        label=_("Số định danh cá nhân (số căn cước)"),
        max_length=20,
        help_text=_("12 chữ số, ví dụ 001090012345"),
        error_messages={"required": _("Nhập số định danh cá nhân (số căn cước) gồm 12 chữ số")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}),
    )
    birth_date = forms.CharField(required=False)  # replaced in __init__ by the three date boxes
    gender = forms.ChoiceField(
        label=_("Giới tính"),
        choices=GENDER_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Chọn giới tính: nam hoặc nữ")},
    )
    phone = _phone_field(help_text=_("Mã xác minh sẽ được gửi tới số này"))
    password = _new_password_field()
    consent = _consent_field()

    def __init__(self, *args, **kwargs):
        from motcua.core.widgets import DateBoxesField

        super().__init__(*args, **kwargs)
        self.fields["birth_date"] = DateBoxesField(
            title=str(_("Ngày sinh")),
            label=_("Ngày sinh"),
            error_messages={"required": _("Nhập ngày sinh của bạn")},
        )
        order = ["full_name", "citizen_id", "birth_date", "gender", "phone", "password", "consent"]
        self.order_fields(order)
        for field in self.fields.values():  # read by includes/eform_field.html ("không bắt buộc")
            field.schema_required = field.required


class CodeForm(CleanInputMixin, forms.Form):
    code = forms.CharField(
        label=_("Mã xác minh 6 chữ số"),
        max_length=10,
        error_messages={"required": _("Nhập mã 6 chữ số trong tin nhắn")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}),
    )


class PasswordResetForm(CleanInputMixin, forms.Form):
    phone = _phone_field(help_text=_("Số điện thoại của tài khoản; mã xác minh sẽ được gửi tới số này"))


class PasswordResetConfirmForm(CleanInputMixin, forms.Form):
    code = CodeForm.base_fields["code"]
    new_password = _new_password_field(_("Mật khẩu mới"))


class ActivationForm(forms.Form):
    password = _new_password_field(_("Mật khẩu mới"))
    consent = _consent_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.schema_required = field.required


class ConsentForm(forms.Form):
    """The consent alone: asked at the first VNeID sign-in, before any account is made or used."""

    consent = _consent_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].schema_required = True


class CloseAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Mật khẩu hiện tại"),
        strip=False,
        error_messages={"required": _("Nhập mật khẩu hiện tại để xác nhận")},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
