"""Load the ОКПДТР classifier (ОК 016-94) from its file: .csv or .xlsx with a header naming code,
check digit, name and category. Safe to run again: it adds new codes and updates changed names."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from enterprises.okpdtr import ClassifierFileError, classifier_load, read_classifier_file


class Command(BaseCommand):
    help = "Load the OKPDTR classifier from a .csv or .xlsx file (code, check digit, name, category)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the classifier's file, .csv or .xlsx")

    def handle(self, *args, file: Path, **options):
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        try:
            rows = read_classifier_file(file)
        except ClassifierFileError as error:
            raise CommandError(f"{file}: {error}") from None
        result = classifier_load(rows=rows)
        self.stdout.write(
            f"OKPDTR: {len(rows)} rows read; {result.added} added, {result.updated} updated, "
            f"{result.unchanged} unchanged."
        )
