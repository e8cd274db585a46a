"""Django's Redis cache, made to degrade instead of fail when Redis is unreachable.

Everything RiskPilot keeps in the cache can be computed again (dashboard fragments and figures,
the roll-up refresh's lock and "already queued" marks), so a cache that cannot answer behaves as an
empty one that keeps nothing: reads miss, writes are dropped, and ``add`` reports "not added", so
that nothing takes a lock or queues a task it could not record. Django's built-in backend has no
such option (django-redis's IGNORE_EXCEPTIONS would mean a second Redis client library)."""

import logging

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# What a dead, restarting or overloaded Redis raises: connection refused or reset, time-outs,
# "LOADING" while it reads its snapshot.
UNAVAILABLE = (RedisError, OSError)


class FailSafeRedisCache(RedisCache):
    def _unavailable(self, operation: str, error: Exception) -> None:
        logger.warning("Cache unavailable, %s skipped: %s", operation, error)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().add(key, value, timeout, version)
        except UNAVAILABLE as error:
            self._unavailable("add", error)
            return False

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except UNAVAILABLE as error:
            self._unavailable("get", error)
            return default

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            super().set(key, value, timeout, version)
        except UNAVAILABLE as error:
            self._unavailable("set", error)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().touch(key, timeout, version)
        except UNAVAILABLE as error:
            self._unavailable("touch", error)
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except UNAVAILABLE as error:
            self._unavailable("delete", error)
            return False

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except UNAVAILABLE as error:
            self._unavailable("get_many", error)
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except UNAVAILABLE as error:
            self._unavailable("has_key", error)
            return False

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set_many(data, timeout, version)
        except UNAVAILABLE as error:
            self._unavailable("set_many", error)
            return list(data)

    def delete_many(self, keys, version=None):
        try:
            super().delete_many(keys, version)
        except UNAVAILABLE as error:
            self._unavailable("delete_many", error)

    def ping(self) -> bool:
        """For the health endpoint: whether Redis answers right now."""
        try:
            return bool(self._cache.get_client(write=False).ping())
        except UNAVAILABLE:
            return False
