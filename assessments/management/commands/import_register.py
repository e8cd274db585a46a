from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.register_dump import RegisterDumpError, register_import_json


class Command(BaseCommand):
    help = (
        "Rebuild an enterprise's register from an export_register file: checked first, written all "
        "or nothing. An enterprise with the same INN is refused unless --replace."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The JSON file written by export_register.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete the register of the enterprise with the same INN and rebuild it from the file "
            "(its users and reports stay).",
        )

    def handle(self, *args, file, replace=False, **options):
        try:
            text = Path(file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
        try:
            result = register_import_json(text, replace=replace)
        except RegisterDumpError as error:
            raise CommandError("Nothing imported:\n  " + "\n  ".join(error.errors[:50])) from error
        action = "replaced" if result.replaced else "imported"
        counts = ", ".join(
            f"{name.replace('_', ' ')}: {count}" for name, count in result.counts.items() if count
        )
        enterprise = result.enterprise
        self.stdout.write(f"Enterprise {enterprise.inn} {action} (id {enterprise.pk}).")
        self.stdout.write(counts or "No rows.")
