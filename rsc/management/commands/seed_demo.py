import secrets

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Organization, User
from rsc import demo

P, S, A = User.Role.PRACTITIONER, User.Role.SUPERVISOR, User.Role.ADMINISTRATOR

# Fictional organizations and people; two organizations so isolation can be seen.
DEMO = [
    {
        "name": "Demo Family Services",
        "time_zone": "America/Chicago",
        "people": [
            ("admin@demo.example", "Alex Moreno", [A]),
            ("supervisor@demo.example", "Dana Whitfield", [S, P]),
            ("supervisor2@demo.example", "Sam Okafor", [S]),
            ("practitioner@demo.example", "Priya Natarajan", [P]),
            ("practitioner2@demo.example", "Jordan Lee", [P]),
            ("practitioner3@demo.example", "Maria Gonzalez", [P]),
            ("practitioner4@demo.example", "Chris Baker", [P]),
        ],
    },
    {
        "name": "Second Demo Agency",
        "time_zone": "America/Denver",
        "people": [
            ("admin@second.example", "Robin Carter", [A]),
            ("supervisor@second.example", "Taylor Brooks", [S]),
            ("practitioner@second.example", "Jamie Rivera", [P]),
        ],
    },
]

SIZE_OPTIONS = ["families", "practitioners", "supervisors", "months"]
DEFAULT_MONTHS = 12
MAX_MONTHS = 120


class Command(BaseCommand):
    help = (
        "Create (or refresh) two fictional demo organizations with their people, families, agreements, a group, "
        "a few months of sessions and the practitioners' reflections. Safe to run again. With --families, also "
        f"build a large '{demo.VOLUME_ORGANIZATION}' for performance work."
    )

    def add_arguments(self, parser):
        parser.add_argument("--password", help="Password for every demo login (default: a new random one).")
        parser.add_argument("--force", action="store_true", help="Run even though DEBUG is off.")
        volume = parser.add_argument_group(
            "volume data",
            f"Build '{demo.VOLUME_ORGANIZATION}' from scratch with this many records (for performance work).",
        )
        volume.add_argument("--families", type=int, help="Number of families, e.g. 5000.")
        volume.add_argument(
            "--practitioners", type=int, help="Number of practitioners (default: one for every 25 families)."
        )
        volume.add_argument(
            "--supervisors", type=int, help="Number of supervisors (default: one for every 6 practitioners)."
        )
        volume.add_argument(
            "--months",
            type=int,
            help=f"Months of weekly sessions before today, plus four weeks ahead (default {DEFAULT_MONTHS}).",
        )

    def handle(self, *args, password=None, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo refuses to run with DEBUG off; pass --force if this really is a demo site.")
        if password is not None and len(password) < 8:
            raise CommandError("--password must be at least 8 characters.")
        sizes = self._volume_sizes(options)
        password = password or secrets.token_urlsafe(9)
        hashed = make_password(password)  # once: hashing is deliberately slow, and everyone shares it
        organizations = []
        try:
            with transaction.atomic():
                for spec in DEMO:
                    organization, _ = Organization.objects.get_or_create(
                        name=spec["name"], defaults={"time_zone": spec["time_zone"]}
                    )
                    people = {
                        email: self._person(organization, email, full_name, roles, hashed)
                        for email, full_name, roles in spec["people"]
                    }
                    demo.build_demo(organization, people)
                    organizations.append(organization)
            volume = None
            if sizes:
                self.stdout.write(f"Building {demo.VOLUME_ORGANIZATION}:")
                volume = demo.build_volume(**sizes, password_hash=hashed, log=self.stdout.write)
        except demo.DemoError as error:
            raise CommandError(str(error)) from error
        self._print_logins(password, demo.demo_counts(organizations), volume)

    def _volume_sizes(self, options) -> dict[str, int] | None:
        given = {name: options.get(name) for name in SIZE_OPTIONS if options.get(name) is not None}
        if not given:
            return None
        for name, value in given.items():
            if value < 1:
                raise CommandError(f"--{name} must be a positive whole number, not {value}.")
        if "families" not in given:
            others = ", ".join(f"--{name}" for name in given)
            raise CommandError(f"{others} only apply to volume data; add --families to say how many families.")
        if given.get("months", 0) > MAX_MONTHS:
            raise CommandError(f"--months can be at most {MAX_MONTHS}.")
        families = given["families"]
        practitioners = given.get("practitioners", max(1, round(families / 25)))
        supervisors = given.get("supervisors", max(1, round(practitioners / 6)))
        return {
            "families": families,
            "practitioners": practitioners,
            "supervisors": supervisors,
            "months": given.get("months", DEFAULT_MONTHS),
        }

    def _person(self, organization, email, full_name, roles, hashed_password) -> User:
        user = User.objects.filter(email=email).first() or User(email=email)
        user.full_name = full_name
        user.organization = organization
        user.time_zone = organization.time_zone
        user.is_active = True
        user.invitation_accepted = True
        user.deactivated_at = None
        for role, field in User.ROLE_FIELDS.items():
            setattr(user, field, role in roles)
        user.password = hashed_password
        user.save()
        return user

    def _print_logins(self, password: str, counts: dict[str, int], volume: dict | None) -> None:
        self.stdout.write(self.style.SUCCESS(f"Demo organizations are ready. Sign in at {settings.SITE_URL}/ with:"))
        for spec in DEMO:
            self.stdout.write(f"\n  {spec['name']}")
            for email, full_name, roles in spec["people"]:
                labels = ", ".join(str(User.Role(role).label) for role in roles)
                self.stdout.write(f"    {email:<30} {full_name:<18} {labels}")
        self.stdout.write(
            f"\n  Demo records: {counts['families']} families, {counts['agreements']} agreements, "
            f"{counts['groups']} group{'' if counts['groups'] == 1 else 's'}, {counts['sessions']} sessions, "
            f"{counts['reflections']} reflections."
        )
        if volume:
            self.stdout.write(
                f"\n  {demo.VOLUME_ORGANIZATION}: {volume['families']:,} families, "
                f"{volume['agreements']:,} agreements, {volume['sessions']:,} sessions, "
                f"{volume['reflections']:,} reflections in {volume['seconds']} s. Logins: admin@{demo.VOLUME_DOMAIN}, "
                f"{volume['supervisors']:,} supervisors (s001@{demo.VOLUME_DOMAIN}, …) and "
                f"{volume['practitioners']:,} practitioners (p0001@{demo.VOLUME_DOMAIN}, …)."
            )
        self.stdout.write(f"\n  Password for every demo login: {password}\n")
