"""A per-course, per-kind lock so two imports of one kind never interleave in one course."""
import uuid
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache

from certexceptions_plugin.bulk.errors import ImportInProgress


@contextmanager
def import_lock(course_key, kind: str):
    """Hold the lock for the block; raise :class:`ImportInProgress` when another holder has it."""
    key = f"certexceptions:import-lock:{kind}:{course_key}"
    token = uuid.uuid4().hex
    if not cache.add(key, token, timeout=settings.CERTEXCEPTIONS_LOCK_TIMEOUT):
        raise ImportInProgress()
    try:
        yield
    finally:
        if cache.get(key) == token:
            cache.delete(key)
