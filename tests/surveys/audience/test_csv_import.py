import io
import tracemalloc
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from surveys.audience import csv_import, csv_reader
from surveys.audience.csv_import import ImportReport, RowError, import_csv, preview_csv
from surveys.audience.models import Account, Contact


def run(session, content: str | bytes, kind: str = "accounts", **options) -> ImportReport:
    data = content.encode() if isinstance(content, str) else content
    return import_csv(session, io.BytesIO(data), kind, **options)


def commit_if_asked(session, report: ImportReport) -> None:
    if report.should_commit:
        session.commit()
    else:
        session.rollback()


def lines(report: ImportReport) -> list[str]:
    return [str(error) for error in report.errors]


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def account(session, external_id: str) -> Account:
    return session.scalar(select(Account).where(Account.external_id == external_id))


# --- what a good file does -------------------------------------------------------------------

def test_accounts_are_created_with_every_column(session):
    report = run(session, "External ID,Name,Plan,Segment,ARR,CSM-Email,Renewal Date,Industry,attributes.region,attr.tier\n"
                          "acme,Acme Inc,pro,enterprise,1200.5,Kim@CS.example.com,2026-03-31,software,EMEA,gold\n")
    commit_if_asked(session, report)
    assert (report.rows, report.created, report.rejected, report.should_commit) == (1, 1, 0, True)
    acme = account(session, "acme")
    assert (acme.name, acme.plan, acme.segment, acme.arr) == ("Acme Inc", "pro", "enterprise", Decimal("1200.50"))
    assert (acme.csm_email, acme.renewal_date) == ("Kim@cs.example.com", date(2026, 3, 31))
    assert acme.attributes == {"industry": "software", "region": "EMEA", "tier": "gold"}


def test_contacts_are_created_and_attached_to_their_account(session, make_account):
    make_account(external_id="acme")
    report = run(session, "external_id,account_external_id,email,name,timezone,locale,unsubscribed,role\n"
                          "c1,acme,ann@example.com,Ann,Europe/Paris,fr,yes,buyer\n"
                          "c2,,bo@example.com,Bo,,,no,\n", kind="contacts")
    commit_if_asked(session, report)
    assert (report.created, report.rejected) == (2, 0)
    ann, bo = session.scalars(select(Contact).order_by(Contact.external_id)).all()
    assert ann.account.external_id == "acme" and ann.timezone == "Europe/Paris" and ann.locale == "fr"
    assert ann.unsubscribed_at is not None and ann.attributes == {"role": "buyer"}
    assert bo.account is None and bo.unsubscribed_at is None and bo.attributes == {}


@pytest.mark.parametrize("value", ["TRUE", "true", "Yes", "1"])
def test_unsubscribed_accepts_the_usual_spellings_of_true(session, value):
    report = run(session, f"external_id,unsubscribed\nc1,{value}\n", kind="contacts")
    commit_if_asked(session, report)
    assert session.scalar(select(Contact.unsubscribed_at)) is not None


def test_an_empty_cell_keeps_the_current_value(session, make_account):
    make_account(external_id="acme", name="Acme", plan="pro", arr=Decimal("10"))
    report = run(session, "external_id,name,plan,arr\nacme,Acme,,20\n")
    commit_if_asked(session, report)
    assert report.updated == 1
    session.expire_all()
    assert (account(session, "acme").plan, account(session, "acme").arr) == ("pro", Decimal("20.00"))


def test_reimporting_the_same_file_changes_nothing(session, make_account):
    make_account(external_id="acme")
    content = ("external_id,name,arr,renewal_date,industry\n"
               "a1,One,10,2026-01-01,retail\n"
               "a2,Two,,,\n")
    contacts = "external_id,account_external_id,email,unsubscribed,role\nc1,acme,Ann@Example.COM,yes,buyer\n"
    commit_if_asked(session, run(session, content))
    commit_if_asked(session, run(session, contacts, kind="contacts"))
    before = {a.external_id: a.updated_at for a in session.scalars(select(Account))}
    unsubscribed_at = session.scalar(select(Contact.unsubscribed_at))

    again = run(session, content)
    again_contacts = run(session, contacts, kind="contacts")
    commit_if_asked(session, again)
    commit_if_asked(session, again_contacts)
    session.expire_all()

    assert (again.rows, again.unchanged, again.created, again.updated) == (2, 2, 0, 0)
    assert (again_contacts.unchanged, again_contacts.updated) == (1, 0)
    assert {a.external_id: a.updated_at for a in session.scalars(select(Account))} == before
    assert session.scalar(select(Contact.unsubscribed_at)) == unsubscribed_at


def test_formula_text_is_stored_verbatim(session):
    report = run(session, 'external_id,name,note\na1,"=HYPERLINK(""http://x"",""y"")",=1+1\n')
    commit_if_asked(session, report)
    stored = account(session, "a1")
    assert stored.name == '=HYPERLINK("http://x","y")'
    assert stored.attributes == {"note": "=1+1"}


# --- encodings and delimiters ----------------------------------------------------------------

def test_a_utf8_bom_is_dropped(session):
    data = "external_id,name\na1,Zoë\n".encode("utf-8-sig")
    assert preview_csv(io.BytesIO(data), "accounts").encoding == "utf-8-sig"
    report = run(session, data)
    commit_if_asked(session, report)
    assert report.created == 1 and account(session, "a1").name == "Zoë"


def test_a_latin1_file_keeps_its_accents(session):
    data = "external_id,name\na1,Crème Brûlée\na2,Société Générale\n".encode("latin-1")
    assert preview_csv(io.BytesIO(data), "accounts").encoding == "cp1252"
    report = run(session, data)
    commit_if_asked(session, report)
    assert report.created == 2
    assert account(session, "a1").name == "Crème Brûlée" and account(session, "a2").name == "Société Générale"


def test_utf8_and_windows1252_lines_can_be_mixed(session):
    data = "external_id,name\na1,Zoë\n".encode() + "a2,Café “Noir”\n".encode("cp1252")
    report = run(session, data)
    commit_if_asked(session, report)
    assert (account(session, "a1").name, account(session, "a2").name) == ("Zoë", "Café “Noir”")


def test_a_utf16_file_with_its_bom_imports(session):
    data = "external_id\tname\na1\tÅsa AB\n".encode("utf-16")
    report = run(session, data)
    commit_if_asked(session, report)
    assert report.created == 1 and account(session, "a1").name == "Åsa AB"


def test_a_forced_encoding_is_used_for_every_line(session):
    data = "external_id,name\na1,Gdańsk\n".encode("iso-8859-2")
    report = run(session, data, encoding="iso-8859-2")
    commit_if_asked(session, report)
    assert account(session, "a1").name == "Gdańsk"


def test_a_line_that_is_not_in_the_forced_encoding_is_named(session):
    report = run(session, b"external_id,name\na1,ok\na2,caf\xe9\n", encoding="utf-8")
    assert lines(report) == ["line 3: row: not valid utf-8 at byte 7"]
    assert report.rejected == 1 and not report.should_commit


def test_an_unknown_encoding_is_a_file_problem(session):
    report = run(session, "external_id,name\na1,A\n", encoding="klingon")
    assert report.problems == ["encoding: unknown encoding 'klingon'"] and not report.should_commit


@pytest.mark.parametrize("delimiter", [";", "\t", "|", ","])
def test_the_delimiter_is_sniffed_from_the_header(session, delimiter):
    content = delimiter.join(["external_id", "name", "arr"]) + "\n" + delimiter.join(["a1", '"Smith, Jones; Co"', "15"]) + "\n"
    preview = preview_csv(io.BytesIO(content.encode()), "accounts")
    assert preview.delimiter == delimiter and preview.columns == ["external_id", "name", "arr"]
    report = run(session, content)
    commit_if_asked(session, report)
    assert report.created == 1 and account(session, "a1").name == "Smith, Jones; Co"
    assert account(session, "a1").arr == Decimal("15.00")


# --- bad lines -------------------------------------------------------------------------------

@pytest.mark.parametrize(("cells", "expected"), [
    ("a1,Acme,lots,", "line 2: arr: Not a valid number."),
    ("a1,Acme,-5,", "line 2: arr: Must be greater than or equal to 0 and less than or equal to 999999999999.99."),
    ("a1,Acme,1e400,", "line 2: arr: Must be greater than or equal to 0 and less than or equal to 999999999999.99."),
    ("a1,Acme,,2026-02-30", "line 2: renewal_date: Not a valid date."),
    (",Acme,,", "line 2: external_id: Missing data for required field."),
    ("a1,,,", "line 2: name: Missing data for required field."),
    ("x" * 10_000 + ",Acme,,", "line 2: external_id: Length must be between 1 and 255."),
])
def test_bad_account_values_are_reported_by_line_and_field(session, cells, expected):
    report = run(session, "external_id,name,arr,renewal_date\n" + cells + "\n")
    assert lines(report) == [expected]
    assert (report.rows, report.rejected, report.should_commit) == (1, 1, False)


@pytest.mark.parametrize(("cells", "expected"), [
    ("c1,bob@,,", "line 2: email: Not a valid email address."),
    ("c1,,Mars/Base,", "line 2: timezone: Unknown IANA timezone 'Mars/Base'; use a name such as 'Europe/Paris'."),
    ("c1,,,maybe", "line 2: unsubscribed: Not a valid boolean."),
])
def test_bad_contact_values_are_reported_by_line_and_field(session, cells, expected):
    report = run(session, "external_id,email,timezone,unsubscribed\n" + cells + "\n", kind="contacts")
    assert lines(report) == [expected]


def test_every_error_of_a_line_is_reported(session):
    report = run(session, "external_id,name,arr,csm_email\na1,Acme,lots,bob@\n")
    assert lines(report) == ["line 2: arr: Not a valid number.", "line 2: csm_email: Not a valid email address."]
    assert report.rejected == 1


def test_an_unknown_account_is_named(session, make_account):
    make_account(external_id="acme")
    report = run(session, "external_id,account_external_id\nc1,acme\nc2,nope\n", kind="contacts")
    assert lines(report) == ["line 3: account_external_id: No account with external_id 'nope'."]
    assert report.rejected == 1 and not report.should_commit


def test_a_duplicate_id_names_the_earlier_line(session):
    report = run(session, "external_id,name\na1,One\na2,Two\n a1 ,Again\n")
    assert lines(report) == ["line 4: external_id: 'a1' is already on line 2"]


@pytest.mark.parametrize(("row", "expected"), [
    ("a1,Acme,extra", "line 2: row: 3 cells where the header has 2"),
    ("a1", "line 2: row: 1 cells where the header has 2"),
])
def test_a_row_with_the_wrong_number_of_cells_is_rejected(session, row, expected):
    report = run(session, f"external_id,name\n{row}\n")
    assert lines(report) == [expected]


def test_line_numbers_are_physical_lines(session):
    content = ('external_id,name,note\n'
               'a1,One,"two\nline note"\n'
               '\n'
               'a2,Two,\n'
               'a3,,\n')
    report = run(session, content)
    assert lines(report) == ["line 6: name: Missing data for required field."]
    assert report.rows == 3


def test_a_line_that_is_not_valid_csv_is_named_and_the_next_lines_still_read(session):
    report = run(session, 'external_id,name\na1,"' + "x" * 200_000 + '"\na2,\n', skip_invalid=True)
    assert lines(report) == ["line 2: row: not valid CSV: field larger than field limit (131072)",
                             "line 3: name: Missing data for required field."]
    assert report.rows == 2


def test_an_unnamed_column_is_ignored(session):
    report = run(session, "external_id,name,\na1,A,\n")
    commit_if_asked(session, report)
    assert report.created == 1 and account(session, "a1").attributes == {}


def test_an_attribute_name_that_is_too_long_is_named(session):
    report = run(session, f"external_id,name,{'x' * 65}\na1,A,1\n")
    assert lines(report) == ["line 2: attributes: Attribute names must be 1 to 64 characters."]


def test_errors_kept_in_memory_are_capped_but_all_rows_counted(session, monkeypatch):
    monkeypatch.setattr(csv_import, "MAX_KEPT_ERRORS", 3)
    report = run(session, "external_id,name\n" + "".join(f"a{n},\n" for n in range(5)))
    assert report.rejected == 5 and len(report.errors) == 3


# --- all or nothing, skip invalid, dry run ---------------------------------------------------

GOOD_AND_BAD = "external_id,name,arr\na1,One,1\na2,Two,2\na3,Three,lots\na4,Four,4\n"


@pytest.mark.parametrize("batch_size", [1, 1000])
def test_nothing_is_written_when_a_line_is_bad(session, batch_size):
    report = run(session, GOOD_AND_BAD, batch_size=batch_size)
    assert (report.rows, report.rejected, report.should_commit) == (4, 1, False)
    session.commit()  # even a careless caller commits nothing: the engine rolled its savepoint back
    assert count(session, Account) == 0


def test_skip_invalid_writes_the_good_rows(session):
    report = run(session, GOOD_AND_BAD, skip_invalid=True, batch_size=2)
    commit_if_asked(session, report)
    assert (report.created, report.rejected, report.should_commit) == (3, 1, True)
    assert lines(report) == ["line 4: arr: Not a valid number."]
    assert sorted(session.scalars(select(Account.external_id))) == ["a1", "a2", "a4"]


def test_skip_invalid_skips_contacts_of_unknown_accounts(session, make_account):
    make_account(external_id="acme")
    report = run(session, "external_id,account_external_id\nc1,acme\nc2,nope\n", kind="contacts", skip_invalid=True)
    commit_if_asked(session, report)
    assert (report.created, report.rejected) == (1, 1)
    assert list(session.scalars(select(Contact.external_id))) == ["c1"]


def test_a_dry_run_counts_everything_and_writes_nothing(session, make_account):
    make_account(external_id="a1", name="Old name")
    report = run(session, GOOD_AND_BAD, dry_run=True, batch_size=1)
    assert (report.created, report.updated, report.rejected) == (2, 1, 1)
    assert report.dry_run and not report.should_commit
    session.commit()
    assert count(session, Account) == 1 and account(session, "a1").name == "Old name"


def test_progress_is_told_the_bytes_read(session):
    seen: list[int] = []
    content = "external_id,name\n" + "".join(f"a{n},A\n" for n in range(10))
    run(session, content, batch_size=4, progress=seen.append)
    assert seen == sorted(seen) and len(seen) >= 3 and seen[-1] == len(content)


# --- file-level problems ---------------------------------------------------------------------

@pytest.mark.parametrize(("kind", "content", "problems"), [
    ("accounts", "name,plan\nAcme,pro\n", ["external_id: missing column"]),
    ("accounts", "id,external_id\n1,a1\n", ["name: missing column"]),
    ("contacts", "email,name\nann@example.com,Ann\n", ["external_id: missing column"]),
    ("accounts", "external_id,name,Name\na1,A,B\n", ["name: duplicate column"]),
    ("accounts", "", ["the file is empty"]),
    ("accounts", "\nexternal_id,name\n", ["line 1: the header line is blank"]),
])
def test_file_level_problems_import_nothing(session, kind, content, problems):
    report = run(session, content, kind=kind)
    assert report.problems == problems
    assert (report.rows, report.should_commit) == (0, False)
    assert preview_csv(io.BytesIO(content.encode()), kind).problems == problems


def test_a_line_too_long_for_a_csv_stops_the_import(session):
    report = run(session, b"external_id,name\na1,A\n" + b"x" * (csv_reader.MAX_LINE_BYTES + 5))
    assert report.problems == [f"line 3: longer than {csv_reader.MAX_LINE_BYTES} bytes; is this a CSV file?"]
    session.commit()
    assert count(session, Account) == 0


def test_an_unknown_kind_is_refused(session):
    with pytest.raises(ValueError, match="kind"):
        run(session, "external_id\n", kind="users")


# --- preview ---------------------------------------------------------------------------------

def test_preview_shows_the_first_rows_and_the_errors():
    content = "External ID;Name;ARR\n" + "".join(f"a{n};Name {n};{n}\n" for n in range(20)) + "bad;;lots\n"
    preview = preview_csv(io.BytesIO(content.encode()), "accounts", limit=3)
    assert preview.columns == ["external_id", "name", "arr"] and preview.delimiter == ";"
    assert preview.rows == [{"external_id": f"a{n}", "name": f"Name {n}", "arr": str(n)} for n in range(3)]
    assert [str(e) for e in preview.errors] == ["line 22: name: Missing data for required field.",
                                               "line 22: arr: Not a valid number."]
    assert preview.encoding == "utf-8" and preview.problems == []


def test_preview_checks_only_the_first_thousand_rows():
    content = "external_id,name\n" + "".join(f"a{n},\n" for n in range(1_500))
    preview = preview_csv(io.BytesIO(content.encode()), "accounts")
    assert len(preview.errors) == 1_000 and preview.errors[-1].line == 1_001
    assert len(preview.rows) == 10


def test_row_error_reads_as_a_line():
    assert str(RowError(7, "arr", "Not a valid number.")) == "line 7: arr: Not a valid number."


# --- constant memory -------------------------------------------------------------------------

class GeneratedCsv(io.RawIOBase):
    """``rows`` generated accounts, produced as they are read, so the file itself costs no memory."""

    def __init__(self, rows: int) -> None:
        self._lines = (f"acct-{n},Account {n}\n".encode() for n in range(rows))
        self._buffer = b"external_id,name\n"

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        while len(self._buffer) < len(target):
            line = next(self._lines, None)
            if line is None:
                break
            self._buffer += line
        size = min(len(target), len(self._buffer))
        target[:size], self._buffer = self._buffer[:size], self._buffer[size:]
        return size


def peak_memory_of_import(session, rows: int) -> int:
    stream = io.BufferedReader(GeneratedCsv(rows))
    tracemalloc.start()
    try:
        report = import_csv(session, stream, "accounts", dry_run=True)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (report.rows, report.created, report.rejected) == (rows, rows, 0)
    return peak


def test_a_100k_row_file_imports_in_bounded_memory(session):
    small = peak_memory_of_import(session, 10_000)
    large = peak_memory_of_import(session, 100_000)
    # Ten times the rows may cost the duplicate-id table (12 bytes a slot), not ten times the memory.
    assert large < 3 * small, (small, large)
