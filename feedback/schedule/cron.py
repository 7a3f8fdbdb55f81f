"""RQ's cron scheduler, with one leader among however many are started.

RQ 3's :class:`rq.cron.CronScheduler` enqueues its registered jobs on their
intervals but has no lock of its own: two started on two machines would each
enqueue every job. :class:`LeaderCronScheduler` enqueues only while it holds
a Redis lock (``SET NX EX``, renewed on every loop); the others stand by, try
the lock on every loop, and one takes over within :attr:`lock_ttl` seconds of
the leader's death (at once when it stops cleanly and lets the lock go).

Each periodic job is registered as :func:`feedback.schedule.periodic.run_periodic`
with the job's name, so the workers run it inside the app.
"""
from __future__ import annotations

import logging

from flask import Flask
from redis import Redis
from rq.cron import CronJob, CronScheduler

from feedback.schedule.periodic import PERIODIC_JOBS, run_periodic

LOCK_KEY = "feedback:scheduler:leader"
LOCK_TTL = 90  # seconds
PERIODIC_QUEUE = "default"

_RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('expire', KEYS[1], ARGV[2]) end return 0"
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


class LeaderCronScheduler(CronScheduler):
    """A cron scheduler that enqueues only while it holds the leader lock."""

    def __init__(self, connection: Redis, *, lock_ttl: int = LOCK_TTL, lock_key: str = LOCK_KEY,
                 logging_level: str | int = logging.INFO, name: str = "") -> None:
        super().__init__(connection=connection, logging_level=logging_level, name=name)
        self.lock_ttl = lock_ttl
        self.lock_key = lock_key

    def hold_lock(self) -> bool:
        """Renew the lock if it is ours, else try to take it; True while we lead."""
        if self.connection.eval(_RENEW, 1, self.lock_key, self.name, self.lock_ttl):
            return True
        taken = bool(self.connection.set(self.lock_key, self.name, nx=True, ex=self.lock_ttl))
        if taken:
            self.log.info("CronScheduler %s: took the leader lock", self.name)
        return taken

    def release_lock(self) -> None:
        self.connection.eval(_RELEASE, 1, self.lock_key, self.name)

    def enqueue_jobs(self) -> list[CronJob]:
        if not self.hold_lock():
            return []
        return super().enqueue_jobs()

    def calculate_sleep_interval(self) -> float:
        # Wake often enough to renew the lock (leader) or to notice it free (standby).
        return min(super().calculate_sleep_interval(), self.lock_ttl / 3)

    def register_death(self, pipeline=None) -> None:
        self.release_lock()
        super().register_death(pipeline)


def build_scheduler(app: Flask, *, name: str = "", lock_ttl: int = LOCK_TTL) -> LeaderCronScheduler:
    """A scheduler on the app's Redis with every periodic job registered."""
    scheduler = LeaderCronScheduler(app.extensions["rq"].connection, lock_ttl=lock_ttl, name=name)
    for job in PERIODIC_JOBS:
        scheduler.register(run_periodic, PERIODIC_QUEUE, args=(job.name,), interval=int(job.every.total_seconds()),
                           job_timeout=job.timeout, result_ttl=3600, name=f"feedback.{job.name}")
    return scheduler
