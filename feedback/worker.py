"""The RQ worker that runs jobs inside the app.

It is a non-forking worker: the app and its heavy imports (TextBlob, later)
load once per process, not once per job, and each job gets a fresh database
session that is removed afterwards, whatever the job did.
"""
from __future__ import annotations

from flask import Flask
from rq import SimpleWorker

from feedback.jobs import QUEUE_NAMES
from surveys.db import db


class AppWorker(SimpleWorker):
    """An RQ worker whose jobs run in an application context of ``app``."""

    def __init__(self, *args, app: Flask, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.app = app

    def execute_job(self, job, queue):
        with self.app.app_context():
            try:
                return super().execute_job(job, queue)
            finally:
                db.session.remove()


def make_worker(app: Flask, queue_names: tuple[str, ...] = QUEUE_NAMES, name: str | None = None) -> AppWorker:
    queues = app.extensions["rq"]
    return AppWorker([queues.queue(n) for n in queue_names], connection=queues.connection, app=app, name=name)
