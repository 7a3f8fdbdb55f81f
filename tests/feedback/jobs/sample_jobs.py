"""Jobs used by the worker tests (a worker imports jobs by dotted name)."""
from surveys.audience.schemas import AccountLoadSchema
from surveys.audience.services import upsert_accounts
from surveys.db import db


def record_account(external_id: str) -> str:
    upsert_accounts(db.session, [AccountLoadSchema().load({"external_id": external_id, "name": external_id.title()})])
    db.session.commit()
    return external_id


def fail_halfway(external_id: str) -> None:
    upsert_accounts(db.session, [AccountLoadSchema().load({"external_id": external_id, "name": "x"})])
    db.session.flush()
    raise RuntimeError("boom")
