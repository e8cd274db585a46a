"""Send the subscribed reports that are due now, as beat does every morning (handy to watch the
whole chain locally: `make worker`, `make mailsink`, then this command)."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reports.delivery import subscriptions_due, subscriptions_fan_out


class Command(BaseCommand):
    help = "Create the due reports and deliveries of every active subscription and queue them."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Act as if today were this day (YYYY-MM-DD).")

    def handle(self, *args, date=None, **options):
        try:
            today = datetime.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError as error:
            raise CommandError(f"--date: {error}") from error
        due = subscriptions_due(today)
        created = subscriptions_fan_out(subscription_ids=due, today=today)
        self.stdout.write(
            f"{len(due)} subscription(s) due on {today:%d.%m.%Y}; {created} delivery(ies) queued."
        )
