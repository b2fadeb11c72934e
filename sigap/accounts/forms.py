from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from sigap.accounts.models import User
from sigap.accounts.services import parse_destination


class DestinationForm(forms.Form):
    destination = forms.CharField(
        label=_("Nomor HP atau e-mail"), max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "username", "inputmode": "email",
                                      "placeholder": "0812 3456 7890 / nama@contoh.id"}),
        error_messages={"required": _("Tulis nomor HP atau e-mail Anda.")})
    channel = forms.ChoiceField(
        label=_("Kirim kode lewat"), required=False, initial="sms",
        choices=[("sms", _("SMS")), ("whatsapp", _("WhatsApp"))])


class CodeForm(forms.Form):
    code = forms.CharField(label=_("Kode 6 angka"), max_length=10, widget=forms.TextInput(
        attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9 ]*"}),
        error_messages={"required": _("Tulis kode yang kami kirim.")})


class PasswordSignInForm(forms.Form):
    destination = forms.CharField(label=_("Nomor HP atau e-mail"), max_length=200)
    password = forms.CharField(label=_("Kata sandi"), widget=forms.PasswordInput)


class ProfileForm(forms.ModelForm):
    """The profile. A new phone number or e-mail is only a request here: it joins the
    account once the code sent to it is entered (services.add_contact)."""

    current_password = forms.CharField(
        label=_("Kata sandi sekarang"), required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Perlu diisi hanya untuk mengganti kata sandi."))
    new_password = forms.CharField(
        label=_("Kata sandi baru (tidak wajib)"), required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Boleh dikosongkan: Anda selalu bisa masuk dengan kode."))

    class Meta:
        model = User
        fields = ["display_name", "email", "phone", "notify_channel", "language"]
        labels = {"display_name": _("Nama"), "email": _("E-mail"), "phone": _("Nomor HP"),
                  "notify_channel": _("Kabari saya lewat"), "language": _("Bahasa")}

    def clean_email(self):
        email = (self.cleaned_data.get("email") or "").strip().lower()
        if email and User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("E-mail ini sudah dipakai akun lain."))
        return email

    def clean_phone(self):
        phone = (self.cleaned_data.get("phone") or "").strip()
        if not phone:
            return ""
        try:
            value = parse_destination(phone)
        except forms.ValidationError:
            raise forms.ValidationError(_("Nomor HP tidak valid.")) from None
        if value.kind != "phone":
            raise forms.ValidationError(_("Nomor HP tidak valid."))
        if User.objects.filter(phone=value.value).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Nomor HP ini sudah dipakai akun lain."))
        return value.value

    def clean_new_password(self):
        password = self.cleaned_data.get("new_password")
        if password:
            validate_password(password, self.instance)
            # Changing a password asks for the current one (a session left open on a shared
            # phone must not be enough to take the account over for good).
            if self.instance.has_usable_password() and not self.instance.check_password(
                    self.cleaned_data.get("current_password") or ""):
                self.add_error("current_password", _("Kata sandi sekarang salah."))
        return password

    def clean(self):
        data = super().clean()
        channel = data.get("notify_channel")
        if channel == User.Channel.EMAIL and not data.get("email"):
            self.add_error("notify_channel", _("Isi e-mail untuk menerima kabar lewat e-mail."))
        if channel in (User.Channel.SMS, User.Channel.WHATSAPP) and not data.get("phone"):
            self.add_error("notify_channel", _("Isi nomor HP untuk menerima kabar lewat SMS/WA."))
        return data


class ContactCodeForm(forms.Form):
    code = forms.CharField(label=_("Kode 6 angka"), max_length=10, widget=forms.TextInput(
        attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9 ]*",
               "autofocus": True}),
        error_messages={"required": _("Tulis kode yang kami kirim.")})


class UnlockForm(forms.Form):
    account = forms.CharField(label=_("Nama pengguna, nomor HP atau e-mail akun"),
                              max_length=150, widget=forms.TextInput(
                                  attrs={"autocomplete": "username"}),
                              error_messages={"required": _("Tulis akun yang dikunci.")})


class DeleteForm(forms.Form):
    confirm = forms.BooleanField(label=_("Ya, hapus akun saya"),
                                 error_messages={"required": _("Centang untuk mengonfirmasi.")})
