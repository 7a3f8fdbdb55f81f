"""The RQ worker runs jobs inside the app, against a real Redis server."""
from rq.job import JobStatus
from sqlalchemy import select

from feedback.worker import make_worker
from surveys.audience.models import Account
from tests.feedback.jobs.sample_jobs import fail_halfway, record_account


def test_worker_runs_a_job_in_an_app_context(app, session):
    queues = app.extensions["rq"]
    queues.queue().empty()
    job = queues.enqueue(record_account, "globex")
    assert make_worker(app).work(burst=True)
    job.refresh()
    assert job.get_status() is JobStatus.FINISHED and job.return_value() == "globex"
    session.expire_all()
    assert session.scalar(select(Account.name).where(Account.external_id == "globex")) == "Globex"


def test_failed_job_writes_nothing_and_the_next_job_still_runs(app, session):
    queues = app.extensions["rq"]
    queues.queue().empty()
    failing = queues.enqueue(fail_halfway, "half")
    ok = queues.enqueue(record_account, "after")
    make_worker(app).work(burst=True)
    failing.refresh()
    ok.refresh()
    assert failing.get_status() is JobStatus.FAILED
    assert ok.get_status() is JobStatus.FINISHED
    session.expire_all()
    assert set(session.scalars(select(Account.external_id))) == {"after"}


def test_worker_cli_burst_drains_the_queue(app, session):
    queues = app.extensions["rq"]
    queues.queue().empty()
    queues.enqueue(record_account, "initech")
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert queues.queue().count == 0
    session.expire_all()
    assert session.scalar(select(Account.external_id)) == "initech"
