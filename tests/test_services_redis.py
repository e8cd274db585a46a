"""With REDIS_URL set, the cache and the Celery broker are a real Redis."""

import uuid

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

from riskpilot.celery import app


@pytest.mark.redis
def test_cache_round_trips_through_redis():
    key = f"riskpilot-test-{uuid.uuid4()}"
    cache = caches["default"]
    cache.set(key, {"level": 5}, timeout=30)
    assert cache.get(key) == {"level": 5}
    # Django's Redis backend, made to degrade when Redis is down (riskpilot/cache.py).
    assert isinstance(cache, RedisCache)
    cache.delete(key)


@pytest.mark.redis
def test_celery_uses_redis_as_broker():
    assert app.conf.broker_url.startswith("redis://")
    assert not app.conf.task_always_eager
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1)
        assert conn.connected
