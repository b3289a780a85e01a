"""The mail a warning or breach sends to the people its policy names, each in their own
language."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from ombuds.accounts.models import User
from ombuds.conversations.models import CaseEvent

from .models import Metric


def send_notice(event_id: int, user_ids: list[int]) -> int:
    """Mail one warning or breach; returns how many mails left."""
    event = CaseEvent.objects.select_related("case__workspace").filter(pk=event_id).first()
    if event is None:
        return 0
    case = event.case
    link = f"{settings.OMBUDS_PUBLIC_URL}/w/{case.workspace.slug}/cases/{case.reference}/"
    sent = 0
    for user in User.objects.filter(pk__in=user_ids, is_active=True).exclude(email=""):
        with translation.override(user.language or settings.LANGUAGE_CODE):
            context = {
                "case": case,
                "event": event,
                "breached": event.kind == "sla.breached",
                "metric": Metric(event.data.get("metric")).label
                if event.data.get("metric") in Metric.values
                else event.data.get("metric"),
                "policy": event.data.get("policy", ""),
                "link": link,
                "user": user,
            }
            subject = render_to_string("sla/email/notice_subject.txt", context).strip()
            body = render_to_string("sla/email/notice_body.txt", context)
        sent += send_mail(" ".join(subject.split()), body, None, [user.email])
    return sent
