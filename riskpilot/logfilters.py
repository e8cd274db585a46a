"""Filters of the application's log (settings.LOGGING)."""

import logging

# django-axes logs four INFO lines for each login: the login, then its database housekeeping
# (expired attempts cleaned, attempts reset, failures deleted), and a fifth before each failure's
# own warning. The housekeeping says nothing an operator acts on; the login and the failures stay.
AXES_HOUSEKEEPING = (
    "AXES: Cleaned up ",
    "AXES: Reset ",
    "AXES: Deleted ",
    "AXES: User login failed, running database handler",
)


class AxesHousekeeping(logging.Filter):
    """Drops django-axes' INFO housekeeping lines, so that a login is one line in the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.INFO:
            return True
        return not str(record.msg).startswith(AXES_HOUSEKEEPING)
