"""Requests per token (or per signed-in user) in a fixed window, counted in Django's cache. Over
the limit the API answers 429 with Retry-After (the seconds until the window ends)."""

import time

from django.conf import settings
from django.core.cache import cache
from ninja.throttling import BaseThrottle

PERIODS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'600/min' → (600, 60)."""
    count, period = rate.split("/", 1)
    return int(count), PERIODS[period]


class TokenThrottle(BaseThrottle):
    def __init__(self):
        self._wait = None

    def allow_request(self, request) -> bool:
        rate = settings.API_THROTTLE_RATE
        if not rate:
            return True
        limit, period = parse_rate(rate)
        user = request.auth
        token = getattr(user, "api_token", None)
        ident = f"t{token.pk}" if token is not None else f"u{user.pk}"
        now = time.time()
        window = int(now // period)
        key = f"api-throttle:{ident}:{period}:{window}"
        cache.add(key, 0, period + 1)
        try:
            count = cache.incr(key)
        except ValueError:
            # Evicted between add and incr: count this request as the first.
            cache.set(key, 1, period + 1)
            count = 1
        except Exception:
            return True
        self._wait = (window + 1) * period - now
        return count <= limit

    def wait(self):
        return self._wait
