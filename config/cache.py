"""Optional caching in Redis that is skipped when Redis cannot be reached.

Only for what can be recomputed: a read is a miss and a write is dropped while Redis is away, never an
error (and never a 500). Sign-in's rate limits and used codes are not here: they are in the default cache,
in PostgreSQL (settings: CACHES), because a limit that failed open would be a hole.
"""

import functools
import logging

import redis
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

# What each operation returns while Redis is away.
_MISSES = {"get": "default", "get_many": {}, "has_key": False, "add": False, "set": None, "set_many": [],
           "touch": False, "delete": False, "delete_many": None, "clear": False, "incr": None}


class SoftRedisCache(RedisCache):
    pass


def _soft(name: str, fallback):
    operation = getattr(RedisCache, name)

    @functools.wraps(operation)
    def wrapper(self, *args, **kwargs):
        try:
            return operation(self, *args, **kwargs)
        except redis.RedisError as error:
            logger.warning("Cache %s skipped: Redis is not reachable (%s)", name, type(error).__name__)
            if fallback == "default":
                return kwargs.get("default", args[1] if len(args) > 1 else None)
            return fallback() if callable(fallback) else fallback

    return wrapper


for _name, _fallback in _MISSES.items():
    setattr(SoftRedisCache, _name, _soft(_name, _fallback))
