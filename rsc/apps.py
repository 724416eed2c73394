from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RscConfig(AppConfig):
    name = "rsc"
    verbose_name = _("RSC Records")

    def ready(self) -> None:
        from rsc import checks  # noqa: F401 - registers the system checks
