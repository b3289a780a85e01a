"""The demo marketplace: a resale desk with people, orders and cases in every state, built
through the same services the product uses. Not a Django app; `ombuds serve --demo` and
`ombuds load-demo` load it."""

from .builder import DemoOutcome, demo_logins, load_demo
from .catalogue import DEMO_PASSWORD
from .catalogue import SLUG as HELP_CENTER_SLUG

__all__ = ["DEMO_PASSWORD", "HELP_CENTER_SLUG", "DemoOutcome", "demo_logins", "load_demo"]
