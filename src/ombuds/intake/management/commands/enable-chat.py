from django.core.management.base import BaseCommand, CommandError

from ombuds.core.errors import ApplicationError
from ombuds.core.models import Workspace
from ombuds.intake.chat.setup import enable_chat


class Command(BaseCommand):
    help = "Offer live chat in a workspace, with the widget allowed on the given sites."

    def add_arguments(self, parser):
        parser.add_argument("--workspace", required=True, help="Workspace slug")
        parser.add_argument(
            "--origin",
            action="append",
            default=[],
            help="A site that embeds the widget, e.g. https://shop.example (repeatable; "
            "https://*.shop.example for its subdomains)",
        )

    def handle(self, *args, workspace, origin, **options):
        found = Workspace.objects.filter(slug=workspace).first()
        if found is None:
            raise CommandError(f"No workspace {workspace!r}.")
        try:
            account = enable_chat(workspace=found, allowed_origins=origin)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        sites = ", ".join(account.settings["allowed_origins"]) or "the desk's own pages only"
        self.stdout.write(f"Live chat is on in {found.slug}; the widget may run on: {sites}.")
        self.stdout.write(
            f'Embed: <script src="…/chat/widget.js" data-workspace="{found.slug}" async></script>'
        )
