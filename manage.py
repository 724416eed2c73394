#!/usr/bin/env python
import os
import sys


def main() -> None:
    if sys.version_info < (3, 12):
        sys.exit(
            f"RSC Records needs Python 3.12 or newer (3.13 recommended); this is {sys.version.split()[0]}. "
            "Install Python 3.13 (for example `pyenv install 3.13`) and try again."
        )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rsc.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
