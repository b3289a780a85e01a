from django.core.management.base import BaseCommand, CommandError

from ombuds.automation.defaults import install_defaults
from ombuds.core.models import Workspace


class Command(BaseCommand):
    help = (
        "Give workspaces the standard escalation rules, macros, care plans and (switched "
        "off) time rules. Idempotent: what an admin changed since stays as it is."
    )

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="Workspaces (default: every workspace)")

    def handle(self, *args, slugs, **options):
        workspaces = Workspace.objects.order_by("slug")
        if slugs:
            workspaces = workspaces.filter(slug__in=slugs)
            if missing := set(slugs) - set(workspaces.values_list("slug", flat=True)):
                raise CommandError(f"No workspace {', '.join(sorted(missing))}.")
        for workspace in workspaces:
            made = install_defaults(workspace)
            self.stdout.write(
                f"{workspace.slug}: {made['triggers']} triggers, {made['macros']} macros, "
                f"{made['care_plans']} care plans, {made['time_rules']} time rules added"
            )
