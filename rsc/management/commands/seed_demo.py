import secrets

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Organization, User

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


class Command(BaseCommand):
    help = "Create (or refresh) two fictional demo organizations with their people. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--password", help="Password for every demo login (default: a new random one).")
        parser.add_argument("--force", action="store_true", help="Run even though DEBUG is off.")

    def handle(self, *args, password=None, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo refuses to run with DEBUG off; pass --force if this really is a demo site.")
        if password is not None and len(password) < 8:
            raise CommandError("--password must be at least 8 characters.")
        password = password or secrets.token_urlsafe(9)
        with transaction.atomic():
            for spec in DEMO:
                organization, _ = Organization.objects.get_or_create(
                    name=spec["name"], defaults={"time_zone": spec["time_zone"]}
                )
                for email, full_name, roles in spec["people"]:
                    self._person(organization, email, full_name, roles, password)
        self._print_logins(password)

    def _person(self, organization, email, full_name, roles, password) -> None:
        user = User.objects.filter(email=email).first() or User(email=email)
        user.full_name = full_name
        user.organization = organization
        user.time_zone = organization.time_zone
        user.is_active = True
        user.invitation_accepted = True
        user.deactivated_at = None
        for role, field in User.ROLE_FIELDS.items():
            setattr(user, field, role in roles)
        user.set_password(password)
        user.save()

    def _print_logins(self, password: str) -> None:
        self.stdout.write(self.style.SUCCESS(f"Demo organizations are ready. Sign in at {settings.SITE_URL}/ with:"))
        for spec in DEMO:
            self.stdout.write(f"\n  {spec['name']}")
            for email, full_name, roles in spec["people"]:
                labels = ", ".join(str(User.Role(role).label) for role in roles)
                self.stdout.write(f"    {email:<30} {full_name:<18} {labels}")
        self.stdout.write(f"\n  Password for every demo login: {password}\n")
