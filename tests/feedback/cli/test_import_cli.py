from decimal import Decimal

import pytest
from sqlalchemy import func, select

from feedback.cli import accounts as accounts_cli
from surveys.audience.models import Account, Contact


@pytest.fixture
def csv_file(tmp_path):
    def write(content: str | bytes, name: str = "import.csv"):
        path = tmp_path / name
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        return str(path)
    return write


@pytest.fixture
def flask(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=list(args))


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def output_lines(result) -> list[str]:
    return result.stdout.strip().splitlines()


def test_accounts_import_writes_the_file_and_says_what_it_did(flask, csv_file, session):
    path = csv_file("external_id;name;arr\na1;One;10\na2;Two;\n")
    result = flask("accounts", "import", path)
    assert result.exit_code == 0, result.output
    assert output_lines(result) == ["2 rows: created 2, updated 0, unchanged 0, rejected 0"]
    assert session.scalar(select(Account.arr).where(Account.external_id == "a1")) == Decimal("10.00")


def test_importing_the_same_file_again_changes_nothing(flask, csv_file):
    path = csv_file("external_id,name\na1,One\na2,Two\n")
    flask("accounts", "import", path)
    result = flask("accounts", "import", path)
    assert result.exit_code == 0
    assert output_lines(result) == ["2 rows: created 0, updated 0, unchanged 2, rejected 0"]


def test_a_bad_line_is_printed_and_nothing_is_written(flask, csv_file, session):
    path = csv_file("external_id,name,arr,renewal_date\na1,One,1,\na2,Two,lots,2026-02-30\na3,Three,-5,\n")
    result = flask("accounts", "import", path)
    assert result.exit_code == 1
    assert output_lines(result) == [
        "line 3: arr: Not a valid number.",
        "line 3: renewal_date: Not a valid date.",
        "line 4: arr: Must be greater than or equal to 0 and less than or equal to 999999999999.99.",
        "3 rows: rejected 2",
        "nothing written: fix the lines above, or import with --skip-invalid to write the valid rows",
    ]
    assert count(session, Account) == 0


def test_skip_invalid_writes_the_valid_rows_and_still_fails(flask, csv_file, session):
    path = csv_file("external_id,name,csm_email\na1,One,\na2,Two,bob@\na3,Three,kim@example.com\n")
    result = flask("accounts", "import", path, "--skip-invalid")
    assert result.exit_code == 1
    assert output_lines(result) == ["line 3: csm_email: Not a valid email address.",
                                    "3 rows: created 2, updated 0, unchanged 0, rejected 1"]
    assert sorted(session.scalars(select(Account.external_id))) == ["a1", "a3"]


def test_a_dry_run_writes_nothing(flask, csv_file, session):
    result = flask("accounts", "import", csv_file("external_id,name\na1,One\n"), "--dry-run")
    assert result.exit_code == 0
    assert output_lines(result) == ["1 rows: created 1, updated 0, unchanged 0, rejected 0", "dry run: nothing written"]
    assert count(session, Account) == 0


def test_a_dry_run_with_bad_rows_fails(flask, csv_file, session):
    result = flask("accounts", "import", csv_file("external_id,name\na1,One\na1,Again\n"), "--dry-run")
    assert result.exit_code == 1
    assert "line 3: external_id: 'a1' is already on line 2" in output_lines(result)
    assert count(session, Account) == 0


@pytest.mark.parametrize(("kind", "content", "message"), [
    ("accounts", "name,plan\nAcme,pro\n", "error: external_id: missing column"),
    ("contacts", "email\nann@example.com\n", "error: external_id: missing column"),
    ("accounts", "", "error: the file is empty"),
])
def test_a_file_level_problem_exits_with_2(flask, csv_file, session, kind, content, message):
    result = flask(kind, "import", csv_file(content))
    assert result.exit_code == 2
    assert output_lines(result) == [message, "nothing written"]
    assert count(session, Account) == 0 and count(session, Contact) == 0


def test_contacts_import_names_an_unknown_account(flask, csv_file, session, make_account):
    make_account(external_id="acme")
    path = csv_file("external_id,account_external_id,email,timezone\n"
                    "c1,acme,ann@example.com,Europe/Paris\n"
                    "c2,nope,bo@example.com,\n"
                    "c3,acme,cy@example.com,Mars/Base\n")
    result = flask("contacts", "import", path)
    assert result.exit_code == 1
    assert output_lines(result)[:2] == [
        "line 3: account_external_id: No account with external_id 'nope'.",
        "line 4: timezone: Unknown IANA timezone 'Mars/Base'; use a name such as 'Europe/Paris'.",
    ]
    assert count(session, Contact) == 0


def test_contacts_import_writes_contacts(flask, csv_file, session, make_account):
    make_account(external_id="acme")
    result = flask("contacts", "import", csv_file("external_id,account_external_id,email\nc1,acme,ann@example.com\n"))
    assert result.exit_code == 0, result.output
    contact = session.scalar(select(Contact))
    assert (contact.external_id, contact.account.external_id) == ("c1", "acme")


def test_encoding_option_forces_the_codec(flask, csv_file, session):
    path = csv_file("external_id,name\na1,Łódź Sp. z o.o.\n".encode("iso-8859-2"))
    assert flask("accounts", "import", path, "--encoding", "iso-8859-2").exit_code == 0
    assert session.scalar(select(Account.name)) == "Łódź Sp. z o.o."


def test_an_unknown_encoding_exits_with_2(flask, csv_file):
    result = flask("accounts", "import", csv_file("external_id,name\na1,A\n"), "--encoding", "klingon")
    assert result.exit_code == 2
    assert "error: encoding: unknown encoding 'klingon'" in result.stdout


def test_a_missing_file_is_a_usage_error(flask, tmp_path):
    result = flask("accounts", "import", str(tmp_path / "nope.csv"))
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_progress_goes_to_stderr_when_not_a_terminal(flask, csv_file, monkeypatch):
    monkeypatch.setattr(accounts_cli, "PROGRESS_EVERY_SECONDS", 0)
    content = "external_id,name\n" + "".join(f"a{n},Account {n}\n" for n in range(2_500))
    result = flask("accounts", "import", csv_file(content))
    assert result.exit_code == 0
    progress = result.stderr.strip().splitlines()
    assert len(progress) == 3  # one line per batch of 1,000 rows
    assert progress[-1] == f"importing accounts: 100% ({len(content):,} of {len(content):,} bytes)"
    assert "importing" not in result.stdout
