"""`ombuds ingest-email --workspace SLUG PATH...`: import .eml files, mbox files and
Maildir folders into a workspace, each message once however often it is run."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ombuds.core.models import Workspace
from ombuds.intake.email.ingest import ImportSummary, import_email


def _reasons(counts) -> str:
    return ", ".join(f"{reason} {count:,}" for reason, count in counts.most_common())


class Command(BaseCommand):
    help = (
        "Import email from .eml files, mbox files and Maildir folders into a workspace. "
        "Each message is stored, then filed like mail from a mailbox; running it again "
        "imports nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--workspace", required=True, help="The workspace's slug")
        parser.add_argument(
            "--progress-every",
            type=int,
            default=500,
            metavar="N",
            help="Print a progress line every N messages (default 500)",
        )

    def handle(self, *args, paths, workspace, progress_every, **options):
        found = [Path(p).expanduser() for p in paths]
        missing = [str(p) for p in found if not p.exists()]
        if missing:
            raise CommandError(f"No such file or folder: {', '.join(missing)}")
        target = Workspace.objects.filter(slug=workspace).first()
        if target is None:
            raise CommandError(f"No workspace {workspace!r}. (ombuds create-workspace makes one.)")
        summary = import_email(
            workspace=target,
            paths=found,
            progress=self._progress,
            every=max(1, progress_every),
        )
        self.stdout.write(self._summary(summary))
        if summary.failed:
            self.stderr.write(
                f"{summary.failed:,} could not be processed now; they are stored and the "
                "worker will try them again (see the rows pending in intake)."
            )

    def _progress(self, summary: ImportSummary) -> None:
        self.stdout.write(f"  {summary.seen:,} messages, {summary.rate:,.0f}/s")
        self.stdout.flush()

    def _summary(self, summary: ImportSummary) -> str:
        parts = [f"{summary.filed:,} filed", f"{summary.duplicates:,} duplicates"]
        ignored = sum(summary.ignored.values())
        rejected = sum(summary.rejected.values())
        parts.append(
            f"{ignored:,} ignored" + (f" ({_reasons(summary.ignored)})" if ignored else "")
        )
        parts.append(
            f"{rejected:,} rejected" + (f" ({_reasons(summary.rejected)})" if rejected else "")
        )
        if summary.failed:
            parts.append(f"{summary.failed:,} failed")
        return (
            f"Imported {summary.seen:,} messages in {summary.seconds:.1f} s "
            f"({summary.rate:,.0f}/s): " + ", ".join(parts) + "."
        )
