"""The background worker's sign of life, read by /ready/ through
community.notifications.worker.worker_heartbeat_age. In the database, not the cache: the
demo's cache is per process, and the web process must see the worker's beat."""

from django.db import models
from django.utils import timezone


class WorkerHeartbeat(models.Model):
    """When a worker process (named by host and process id) last went round
    its loop."""

    name = models.CharField(max_length=100, unique=True)
    beat_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"
