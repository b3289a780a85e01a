"""What a service's refusal says to an agent, in the agent's language.

Services speak English in ApplicationError.message (the API returns it as is); the desk
shows a translated sentence for the codes it knows and falls back to that message.
"""

from __future__ import annotations

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from ombuds.conversations.models import Status
from ombuds.core.errors import ApplicationError


def _status(value) -> str:
    return str(dict(Status.choices).get(value, value))


def refusal_message(error: ApplicationError) -> str:
    details = error.details if isinstance(error.details, dict) else {}
    code = error.code
    if code == "invalid_transition":
        return _("A case cannot go from %(from)s to %(to)s.") % {
            "from": _status(details.get("from")),
            "to": _status(details.get("to")),
        }
    if code == "attachment_too_large":
        return _("%(name)s is too large; the limit is %(limit)s.") % {
            "name": details.get("filename", ""),
            "limit": filesizeformat(details.get("limit", 0)),
        }
    if code == "attachment_type_not_allowed":
        return _("Files like %(name)s cannot be attached.") % {"name": details.get("filename", "")}
    simple = {
        "case_closed": _("This case is closed; it takes no more replies."),
        "empty_message": _("A message needs some text."),
        "message_too_long": _("This message is too long."),
        "too_many_attachments": _("Too many files for one message."),
        "too_many_tags": _("A case may carry at most 20 tags."),
        "unknown_assignee": _("That person is not in this workspace."),
        "unknown_team": _("No such team in this workspace."),
        "unknown_status": _("That is not a case status."),
        "unknown_priority": _("That is not a priority."),
        "empty_subject": _("A case needs a subject."),
        "invalid_cursor": _("That page link is no longer valid; start from the first page."),
        "unknown_view": _("That inbox view does not exist."),
        "unknown_sla": _("That deadline filter does not exist."),
        "unknown_sort": _("That sort order does not exist."),
        "forbidden": _("Your role does not allow this."),
        # Connecting a messaging platform.
        "account_already_connected": _("This platform account is already connected."),
        "invalid_account_id": _("The platform's account id is required."),
        "missing_access_token": _("The access token is required for this platform."),
        "missing_signing_secret": _("The signing secret is required for this platform."),
        "missing_verify_token": _("The verify token is required for this platform."),
        "invalid_api_base_url": _("The API address must start with https://."),
        "empty_name": _("Give the connection a name."),
        "channel_fixed": _("A connection's platform cannot change; connect a new one instead."),
    }
    return str(simple.get(code, error.message))
