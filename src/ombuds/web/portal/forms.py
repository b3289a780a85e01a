"""Forms of the help center and the portal. They only parse; the services decide."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ombuds.conversations.attachments import IncomingFile
from ombuds.core.errors import ApplicationError

# Stable codes: the case keeps the code (routing and reports read it), the buyer sees
# the label in their language.
TOPICS = [
    ("pre-sale", gettext_lazy("A question before buying")),
    ("delivery", gettext_lazy("Order status or delivery")),
    ("transfer", gettext_lazy("Ticket or booking transfer")),
    ("problem", gettext_lazy("A problem with my order")),
    ("refund", gettext_lazy("Payment or refund")),
    ("other", gettext_lazy("Something else")),
]

HONEYPOT = "website"


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name (the pattern of Django's file-upload docs)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        clean_one = super().clean
        if isinstance(data, list | tuple):
            return [clean_one(item, initial) for item in data]
        return [clean_one(data, initial)] if data else []


def _attachments_field() -> MultipleFileField:
    return MultipleFileField(
        label=gettext_lazy("Attachments"),
        required=False,
        help_text=gettext_lazy(
            "Screenshots, photos, receipts or booking confirmations help us most."
        ),
    )


class ContactForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Your email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=gettext_lazy(
            "We answer at this address and send you a link to follow your request."
        ),
    )
    name = forms.CharField(
        label=gettext_lazy("Your name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    order_number = forms.CharField(
        label=gettext_lazy("Order number"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("If your question is about an order. You find it in your receipt."),
    )
    topic = forms.ChoiceField(
        label=gettext_lazy("What is it about?"),
        choices=[("", gettext_lazy("Choose a topic")), *TOPICS],
    )
    message = forms.CharField(
        label=gettext_lazy("Your message"),
        widget=forms.Textarea(attrs={"rows": 7}),
        max_length=settings.OMBUDS_MAX_MESSAGE_CHARS,
    )
    attachments = _attachments_field()
    # Hidden from people by the stylesheet; form-filling bots fill every field they see.
    website = forms.CharField(
        label=gettext_lazy("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get(HONEYPOT):
            raise ValidationError(
                _("We could not accept this form. Please leave the last field empty."),
                code="honeypot",
            )
        return cleaned

    def caught_bot(self) -> bool:
        return self.has_error(NON_FIELD_ERRORS, code="honeypot")


class SignInForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Your email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Your reply"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=settings.OMBUDS_MAX_MESSAGE_CHARS,
    )
    attachments = _attachments_field()


def incoming_files(uploads: list[UploadedFile]) -> list[IncomingFile]:
    # One byte past the limit is enough for the service to refuse a file, without holding
    # a huge upload in memory.
    most = settings.OMBUDS_MAX_ATTACHMENT_BYTES + 1
    return [
        IncomingFile(
            filename=upload.name or "",
            content_type=upload.content_type or "",
            content=upload.read(most),
        )
        for upload in uploads
    ]


_FIELD_OF = {
    "attachment_too_large": "attachments",
    "attachment_type_not_allowed": "attachments",
    "too_many_attachments": "attachments",
    "invalid_email": "email",
    "empty_message": "message",
    "message_too_long": "message",
}


def _explain(error: ApplicationError) -> str:
    """The service's refusal in the buyer's language (its own message is for integrators)."""
    details = error.details if isinstance(error.details, dict) else {}
    name = details.get("filename", "")
    if error.code == "attachment_too_large":
        return _("%(name)s is too large. Each file may be at most %(limit)s.") % {
            "name": name,
            "limit": filesizeformat(settings.OMBUDS_MAX_ATTACHMENT_BYTES),
        }
    if error.code == "attachment_type_not_allowed":
        return _(
            "We cannot accept files like %(name)s. Please send a PDF, a photo, a screenshot "
            "or a text file."
        ) % {"name": name}
    if error.code == "too_many_attachments":
        count = settings.OMBUDS_MAX_ATTACHMENTS_PER_MESSAGE
        return ngettext(
            "You can attach at most %(count)d file.",
            "You can attach at most %(count)d files.",
            count,
        ) % {"count": count}
    if error.code == "invalid_email":
        return _("Please enter a valid email address.")
    if error.code in ("empty_message", "message_too_long"):
        return _("Please write a message of reasonable length.")
    if error.code == "case_closed":
        return _("This request is closed. Please open a new one.")
    return _("We could not accept this. Please check what you entered and try again.")


def add_refusal(form: forms.Form, error: ApplicationError) -> None:
    """Show a service's refusal next to the field it is about."""
    field = _FIELD_OF.get(error.code)
    if field == "message" and "message" not in form.fields:
        field = "body"
    form.add_error(field if field in form.fields else None, _explain(error))
