"""`ombuds load-demo`: the demo marketplace without starting a server."""

from django.core.management.base import BaseCommand

from ombuds.demo import DEMO_PASSWORD, demo_logins, load_demo


class Command(BaseCommand):
    help = (
        "Load the demo marketplace (workspaces 'resale' and 'outlet', their staff, "
        "buyers, orders and cases). Does nothing when it is already loaded."
    )

    def handle(self, *args, **options):
        outcome = load_demo(progress=self._say)
        if not outcome.created:
            self._say("The demo marketplace is already loaded; nothing changed.")
        else:
            self._say(
                f"Loaded in {outcome.seconds:.1f} s: "
                + ", ".join(f"{n} {what}" for what, n in outcome.counts.items())
                + "."
            )
        self._say(f"Demo logins (password {DEMO_PASSWORD}):")
        for role, email, note in demo_logins():
            self._say(f"  {role:<11} {email}{note}")

    def _say(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()
