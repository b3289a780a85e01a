"""The form an admin fills in to connect an IMAP mailbox. It parses; the service checks
and writes (`ombuds.intake.mailboxes`)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ombuds.intake.mailboxes import MailboxSettings, security_of
from ombuds.intake.models import Mailbox

SECURITY = [
    ("ssl", _("SSL/TLS (usually port 993)")),
    ("starttls", _("STARTTLS (usually port 143)")),
    ("plain", _("None — only on a trusted network")),
]
AFTER_FETCH = [
    ("seen", _("Mark it as read")),
    ("archive", _("Move it to a folder")),
    ("delete", _("Delete it from the server")),
]


class MailboxForm(forms.Form):
    address = forms.EmailField(
        label=_("Address"), help_text=_("The address customers write to."), max_length=254
    )
    host = forms.CharField(label=_("IMAP server"), max_length=255)
    port = forms.IntegerField(label=_("Port"), min_value=1, max_value=65535, initial=993)
    security = forms.ChoiceField(label=_("Encryption"), choices=SECURITY, initial="ssl")
    username = forms.CharField(label=_("User name"), max_length=255)
    password = forms.CharField(
        label=_("Password"),
        required=False,
        max_length=500,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    folder = forms.CharField(label=_("Folder"), max_length=255, initial="INBOX")
    after_fetch = forms.ChoiceField(
        label=_("Once an email is stored"),
        choices=AFTER_FETCH,
        initial="seen",
        help_text=_(
            "When fetched mail is only marked as read, mail already read in the mailbox "
            "is left alone."
        ),
    )
    archive_folder = forms.CharField(
        label=_("Archive folder"),
        max_length=255,
        required=False,
        help_text=_("Created when it does not exist yet."),
    )
    is_active = forms.BooleanField(label=_("Fetch mail from this mailbox"), required=False)

    def __init__(self, *args, mailbox: Mailbox | None = None, **kwargs):
        if mailbox is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(mailbox)
        kwargs.setdefault("initial", {"is_active": True})
        super().__init__(*args, **kwargs)
        self.mailbox = mailbox
        if mailbox is not None:
            self.fields["password"].help_text = _("Leave empty to keep the current password.")

    @staticmethod
    def initial_for(mailbox: Mailbox) -> dict:
        if mailbox.archive_folder:
            after = "archive"
        elif mailbox.delete_after_fetch:
            after = "delete"
        else:
            after = "seen"
        return {
            "address": mailbox.address,
            "host": mailbox.host,
            "port": mailbox.port,
            "security": security_of(mailbox),
            "username": mailbox.username,
            "folder": mailbox.folder,
            "after_fetch": after,
            "archive_folder": mailbox.archive_folder,
            "is_active": mailbox.is_active,
        }

    def clean(self):
        data = super().clean()
        if data.get("after_fetch") == "archive" and not data.get("archive_folder", "").strip():
            self.add_error("archive_folder", _("Name the folder to move fetched mail to."))
        if self.mailbox is None and not data.get("password"):
            self.add_error("password", _("Enter the password."))
        return data

    def to_settings(self) -> MailboxSettings:
        data = self.cleaned_data
        after = data["after_fetch"]
        return MailboxSettings(
            address=data["address"],
            host=data["host"],
            port=data["port"],
            security=data["security"],
            username=data["username"],
            password=data["password"],
            folder=data["folder"],
            archive_folder=data["archive_folder"].strip() if after == "archive" else "",
            delete_after_fetch=after == "delete",
            is_active=data["is_active"],
        )
