"""Send this week's reminders now, as beat does on Mondays (for a local look at them)."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from assessments.reminders import digests_send, enterprises_with_recipients


class Command(BaseCommand):
    help = "Send the weekly reminder e-mails that have not been sent this week."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Act as if today were this day (YYYY-MM-DD).")

    def handle(self, *args, date=None, **options):
        try:
            today = datetime.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError as error:
            raise CommandError(f"--date: {error}") from error
        sent = digests_send(enterprise_ids=enterprises_with_recipients(), today=today)
        self.stdout.write(f"{sent} reminder(s) sent for the week of {today:%d.%m.%Y}.")
