from django.core.management.base import BaseCommand, CommandError

from ombuds.accounts.models import Role
from ombuds.accounts.services import add_member, issue_token
from ombuds.core.errors import ApplicationError
from ombuds.core.models import Workspace


class Command(BaseCommand):
    help = (
        "Create an API token for EMAIL in a workspace (the user is created if needed). "
        "The token is the last word printed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--workspace", required=True)
        parser.add_argument("--email", required=True)
        parser.add_argument("--role", default=Role.AGENT, choices=Role.values)
        parser.add_argument("--name", default="", help="What the token is for")

    def handle(self, *args, workspace, email, role, name, **options):
        ws = Workspace.objects.filter(slug=workspace).first()
        if ws is None:
            raise CommandError(
                f"No workspace {workspace!r}. Create it with "
                f"`ombuds create-workspace {workspace} --name NAME`."
            )
        try:
            membership = add_member(workspace=ws, email=email, role=role)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        _, raw = issue_token(membership=membership, name=name)
        self.stdout.write(
            f"API token for {membership.user.email} ({membership.role}) in {ws.slug}: {raw}"
        )
