from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.register_dump import RegisterDumpError, find_enterprise, register_export_json


class Command(BaseCommand):
    help = (
        "Write one enterprise's whole register (units, workplaces, rows, assessments, measures with "
        "their evidence files, incidents, reviews) as JSON, for import_register."
    )

    def add_arguments(self, parser):
        parser.add_argument("enterprise", help="The enterprise's INN or id.")
        parser.add_argument("-o", "--output", help="File to write (default: standard output).")

    def handle(self, *args, enterprise, output=None, **options):
        try:
            text = register_export_json(find_enterprise(enterprise))
        except RegisterDumpError as error:
            raise CommandError(str(error)) from error
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stderr.write(f"Register written to {output}.")
        else:
            self.stdout.write(text, ending="")
