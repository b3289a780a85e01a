"""Telling desk staff: a notification row (the bell in the desk header) and an email.

The email leaves through the row itself, as an outbox: `email_status` queued with a due
time, sent by a sweep after commit, retried with back-off, failed after MAX_ATTEMPTS.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from ombuds.accounts.models import Membership, Role, User
from ombuds.conversations.models import Case
from ombuds.core.models import Workspace

from .models import EmailStatus, Notification

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
BATCH = 100
LIST_LIMIT = 50


def recipients_for(case: Case, targets: Iterable[str]) -> list[User]:
    """Who 'assignee', 'team', 'supervisors', 'admins' or an email means on this case:
    always members of the case's workspace."""
    members = User.objects.filter(memberships__workspace_id=case.workspace_id, is_active=True)
    chosen: dict[int, User] = {}
    for target in targets:
        if target == "assignee" and case.assignee_id:
            query = members.filter(pk=case.assignee_id)
        elif target == "team" and case.team_id:
            query = members.filter(teams=case.team_id)
        elif target == "supervisors":
            query = members.filter(
                memberships__workspace_id=case.workspace_id,
                memberships__role__in=(Role.SUPERVISOR, Role.ADMIN),
            )
        elif target == "admins":
            query = members.filter(
                memberships__workspace_id=case.workspace_id, memberships__role=Role.ADMIN
            )
        elif "@" in target:
            query = members.filter(email=target.strip().lower())
        else:
            continue
        for user in query.distinct():
            chosen.setdefault(user.pk, user)
    return list(chosen.values())


@transaction.atomic
def notify(
    *,
    workspace: Workspace,
    users: Iterable[User],
    title: str,
    body: str = "",
    case: Case | None = None,
    by_label: str = "",
    email: bool = True,
) -> list[Notification]:
    """One notification per person; emailed after commit unless `email` is False."""
    now = timezone.now()
    users = list(users)
    members = set(
        Membership.objects.filter(workspace=workspace, user__in=users).values_list(
            "user_id", flat=True
        )
    )
    rows = [
        Notification(
            workspace=workspace,
            user=user,
            case=case,
            title=title[:200],
            body=body[:5000],
            by_label=by_label[:100],
            created_at=now,
            email_status=EmailStatus.QUEUED if email and user.email else EmailStatus.NONE,
            email_due_at=now if email and user.email else None,
        )
        for user in users
        if user.pk in members
    ]
    Notification.objects.bulk_create(rows)
    if any(r.email_status == EmailStatus.QUEUED for r in rows):
        transaction.on_commit(_wake)
    return rows


def _wake() -> None:
    from .tasks import send_notification_emails

    send_notification_emails.schedule(delay=0)


def _email_text(notification: Notification) -> tuple[str, str]:
    case = notification.case
    subject = f"[{case.reference}] {notification.title}" if case else notification.title
    lines = [notification.body] if notification.body else []
    if case is not None:
        url = (
            f"{settings.OMBUDS_PUBLIC_URL}/w/{notification.workspace.slug}/cases/{case.reference}/"
        )
        lines.append(f"{case.reference} · {case.subject}\n{url}")
    if notification.by_label:
        lines.append(f"— {notification.by_label}")
    return subject, "\n\n".join(lines)


def send_one_email(notification_id: int) -> None:
    with transaction.atomic():
        row = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("user", "case", "workspace")
            .filter(pk=notification_id, email_status=EmailStatus.QUEUED)
            .first()
        )
        if row is None:
            return
        row.email_attempts += 1
        subject, text = _email_text(row)
        try:
            send_mail(
                subject,
                text,
                row.workspace.support_email or settings.DEFAULT_FROM_EMAIL,
                [row.user.email],
                fail_silently=False,
            )
        except Exception as exc:  # the mail server is down or refuses: try again later
            log.warning("notification email failed", extra={"notification": row.pk})
            row.email_error = str(exc)[:2000]
            if row.email_attempts >= MAX_ATTEMPTS:
                row.email_status = EmailStatus.FAILED
                row.email_due_at = None
            else:
                minutes = min(60, 2 ** (row.email_attempts - 1))
                row.email_due_at = timezone.now() + timedelta(minutes=minutes)
        else:
            row.email_status = EmailStatus.SENT
            row.email_due_at = None
        row.save(update_fields=["email_attempts", "email_status", "email_due_at", "email_error"])


def send_due_emails() -> int:
    tried = 0
    while True:
        ids = list(
            Notification.objects.filter(
                email_status=EmailStatus.QUEUED, email_due_at__lte=timezone.now()
            )
            .order_by("email_due_at")
            .values_list("pk", flat=True)[:BATCH]
        )
        for pk in ids:
            send_one_email(pk)
        tried += len(ids)
        if len(ids) < BATCH:
            return tried


# --- reads --------------------------------------------------------------------------------


def unread_count(*, workspace: Workspace, user: User) -> int:
    return Notification.objects.filter(workspace=workspace, user=user, read_at=None).count()


def notifications_for(
    *, workspace: Workspace, user: User, limit: int = LIST_LIMIT
) -> list[Notification]:
    return list(
        Notification.objects.filter(workspace=workspace, user=user)
        .select_related("case")
        .order_by("-created_at", "-pk")[:limit]
    )


@transaction.atomic
def mark_read(*, workspace: Workspace, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all of them, or those in `ids`)."""
    query = Notification.objects.filter(workspace=workspace, user=user, read_at=None)
    if ids is not None:
        query = query.filter(pk__in=list(ids))
    return query.update(read_at=timezone.now())
