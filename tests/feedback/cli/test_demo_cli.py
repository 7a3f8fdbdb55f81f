from pathlib import Path

from sqlalchemy import func, select

from feedback.auth.keys import authenticate_key
from feedback.auth.models import User
from feedback.demo.seed import load_login
from feedback.responses.models import Response
from surveys.audience.models import Account, Contact
from surveys.design.models import Survey


def test_demo_seed_fills_an_empty_workspace_once(app, session, tmp_path, login):
    app.config["OUTBOX_DIR"] = str(tmp_path / "outbox")
    app.instance_path = str(tmp_path)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    assert session.scalar(select(func.count()).select_from(Account)) >= 10
    assert session.scalar(select(func.count()).select_from(Contact)) >= 30
    assert session.scalar(select(func.count()).select_from(Contact).where(Contact.unsubscribed_at.is_not(None))) == 1
    credentials = load_login(Path(tmp_path))
    assert credentials.password in result.output
    assert authenticate_key(session, credentials.api_key) is not None
    login(session.scalar(select(User).where(User.email == credentials.email)), credentials.password)
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1, "the pending teammate's invitation is in the outbox"
    surveys = session.scalar(select(func.count()).select_from(Survey))
    responses = session.scalar(select(func.count()).select_from(Response))
    assert surveys >= 5 and responses >= 200, "the demo shows surveys with half a year of answers"
    again = runner.invoke(args=["demo", "seed"])
    assert again.exit_code == 0 and "nothing seeded" in again.output
    assert session.scalar(select(func.count()).select_from(Survey)) == surveys
    assert session.scalar(select(func.count()).select_from(Response)) == responses
