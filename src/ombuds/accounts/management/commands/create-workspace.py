from django.core.management.base import BaseCommand, CommandError

from ombuds.accounts.services import create_workspace
from ombuds.automation.defaults import install_defaults
from ombuds.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Create a workspace (a tenant: one marketplace or brand)."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--name", required=True)
        parser.add_argument("--prefix", help="Case reference prefix, e.g. RES for RES-1042")
        parser.add_argument("--timezone", default="Europe/Amsterdam")

    def handle(self, *args, slug, name, prefix, timezone, **options):
        try:
            workspace = create_workspace(
                slug=slug, name=name, case_prefix=prefix, timezone_name=timezone
            )
        except ApplicationError as exc:
            problems = "; ".join(
                f"{field}: {' '.join(errors)}" for field, errors in (exc.details or {}).items()
            )
            raise CommandError(f"{exc.message} {problems}".strip()) from exc
        install_defaults(workspace)
        self.stdout.write(
            f"Created workspace {workspace.slug} ({workspace.name}); "
            f"cases are numbered {workspace.case_prefix}-1, "
            f"{workspace.case_prefix}-2, …; standard escalation rules installed"
        )
