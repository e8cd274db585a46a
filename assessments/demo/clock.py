"""The demo register is typed in at once, but tells a story of two years. Running each change "as
of" the day it happens in that story gives its records the dates a real register would have:
``created_at`` and the history records (django-simple-history stamps them with ``timezone.now``).
The reports rebuild the register at the end of a past period from those dates, so without this
every demo row would seem to have been created, eliminated and re-assessed on the day of loading.

Used by the demo loader only: nothing else may move the clock.
"""

import contextlib
import datetime
from unittest import mock

from django.utils import timezone


@contextlib.contextmanager
def as_of(day: datetime.date):
    """Changes made inside are stamped as made at the end of ``day``, local time (an incident of
    that day, whatever its hour, is then not in the future)."""
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59)))
    with mock.patch.object(timezone, "now", return_value=moment):
        yield
