"""After-commit listeners: called with the saved ids after a commit, never after a rollback."""
from __future__ import annotations

import logging

import pytest

from feedback.responses.hooks import on_responses_saved
from feedback.responses.models import Response
from feedback.responses.services import Submission, submit_response


@pytest.fixture
def calls(app):
    seen: list[list[int]] = []
    on_responses_saved(app, seen.append)
    return seen


def test_listeners_run_after_the_commit_with_the_ids(session, live_survey, calls):
    first = submit_response(session, live_survey, Submission({"nps": 9})).response
    second = submit_response(session, live_survey, Submission({"nps": 2})).response
    assert calls == [], "nothing is announced before the commit"
    session.commit()
    assert calls == [sorted([first.id, second.id])]
    session.commit()
    assert len(calls) == 1, "each commit announces only what it saved"


def test_a_rollback_announces_nothing(session, live_survey, calls):
    submit_response(session, live_survey, Submission({"nps": 9}))
    session.rollback()
    session.commit()
    assert calls == []
    kept = submit_response(session, live_survey, Submission({"nps": 5})).response
    session.commit()
    assert calls == [[kept.id]], "ids marked before the rollback are forgotten"


def test_an_update_is_announced_and_a_replay_is_not(session, live_survey, calls):
    response = submit_response(session, live_survey, Submission({"nps": 2}, partial=True,
                                                                 client_response_id="k")).response
    session.commit()
    submit_response(session, live_survey, Submission({"why": "Slow"}, client_response_id="k"))
    session.commit()
    submit_response(session, live_survey, Submission({"nps": 2, "why": "Slow"}, client_response_id="k"))
    session.commit()
    assert calls == [[response.id], [response.id]]


def test_a_failing_listener_does_not_break_the_commit(app, session, live_survey, calls, caplog):
    def broken(ids):
        raise RuntimeError("queue is down")

    app.extensions["response_listeners"].insert(0, broken)
    response = submit_response(session, live_survey, Submission({"nps": 9})).response
    with caplog.at_level(logging.ERROR, logger="feedback.responses.hooks"):
        session.commit()
    assert calls == [[response.id]], "the other listeners still run"
    assert "queue is down" in caplog.text
    session.expire_all()
    assert session.get(Response, response.id) is not None
