from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from accounts.models import Organization
from rsc.services import retention

RULE_NAMES = {
    retention.FAMILY_CLOSED: "families closed long enough ago",
    retention.PERSON_LEFT: "people who left long enough ago",
    retention.RESTORE_WINDOW: "deleted records past their restore window",
}
RECORD_NAMES = {"family": ("family", "families")}


class Command(BaseCommand):
    help = (
        "Purge the reflective writing each organization no longer keeps, following its retention settings: "
        "writing about families closed long enough ago, the writing of people who left long enough ago, and "
        "deleted records past their restore window. Session dates, lengths and attendance stay, so verified "
        "hours stay. Each record purged is recorded in the audit trail, without any of its text. Safe to run "
        "again, and meant to run once a day from cron, for example (with -v 0 it prints only failures, so "
        "cron mails only then): "
        "'15 3 * * * cd /srv/rsc && .venv/bin/python manage.py apply_retention -v 0'. "
        "Exits with status 1 when an organization could not be done (the others still are)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Show what would be purged; change nothing.")
        parser.add_argument(
            "--organization",
            type=int,
            metavar="ID",
            action="append",
            help="Only this organization (its id); may be given more than once.",
        )

    def handle(self, *args, dry_run: bool = False, organization: list[int] | None = None, verbosity: int = 1, **_):
        try:
            organizations = self._organizations(organization)
            report = retention.purge_due(dry_run=dry_run, organizations=organizations)
        except DatabaseError as error:
            raise CommandError(f"The database could not be read ({error}). Is it migrated and reachable?") from None
        for result in report.organizations:
            if result.error:
                self.stderr.write(
                    f"{result.name} (id {result.organization_id}): failed ({result.error}); nothing purged there."
                )
            elif verbosity >= 1:
                self._print(result, dry_run)
        if not organization:
            # Also remove the background tasks that finished (emailed or gave up) over two weeks ago.
            call_command("prune_db_task_results", queue_name="*", min_age_days=14, dry_run=dry_run, verbosity=verbosity)
        if dry_run and verbosity >= 1:
            self.stdout.write("Dry run: nothing was changed.")
        if report.failed:
            ids = ", ".join(str(result.organization_id) for result in report.failed)
            raise CommandError(f"Retention failed for organization {ids}; the others were done.")

    def _organizations(self, ids: list[int] | None):
        organizations = Organization.objects.all()
        if not ids:
            return organizations
        organizations = organizations.filter(pk__in=ids)
        missing = sorted(set(ids) - set(organizations.values_list("pk", flat=True)))
        if missing:
            raise CommandError(f"No organization with id {', '.join(map(str, missing))}.")
        return organizations

    def _print(self, result: retention.OrganizationReport, dry_run: bool) -> None:
        heading = f"{result.name} (id {result.organization_id})"
        summary = result.summary()
        if not summary:
            self.stdout.write(f"{heading}: nothing due.")
            return
        self.stdout.write(f"{heading}:")
        verb = "would purge" if dry_run else "purged"
        for rule in retention.RULES:
            parts = [
                _describe(rule, record_type, count)
                for (purge_rule, record_type), count in sorted(summary.items())
                if purge_rule == rule
            ]
            if parts:
                self.stdout.write(f"  {RULE_NAMES[rule]}: {verb} {', '.join(parts)}.")


def _describe(rule: str, record_type: str, count: int) -> str:
    singular, plural = RECORD_NAMES.get(record_type, (record_type, f"{record_type}s"))
    name = singular if count == 1 else plural
    if record_type == "session" and rule != retention.RESTORE_WINDOW:
        # The session itself stays, with its date, length and attendance.
        return f"the writing of {count} {name}"
    return f"{count} {name}"
