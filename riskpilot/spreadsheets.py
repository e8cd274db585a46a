"""Spreadsheets RiskPilot writes and reads: one escaping rule for every cell written, and the
checks an uploaded workbook passes before any XML of it is parsed.

Writing. A spreadsheet program runs a text cell that starts with = + - @ (or a TAB or CR before
them) as a formula: an enterprise's name or a filter typed by a user would become live code in a
colleague's Excel (formula or "CSV" injection). ``cell_value`` prefixes such text with an
apostrophe, which Excel and LibreOffice show as plain text; numbers and dates stay as they are.
Every .xlsx and CSV the application writes passes its cells through it, and the register import
(assessments/imports.py) takes the apostrophe off again, so an exported register imports as it was.

Reading. An .xlsx is a zip of XML files, so a small upload can unpack to gigabytes or declare
millions of cells. ``check_xlsx_archive`` looks at the zip's directory only (member count, sizes,
compression ratio) and refuses a bomb before openpyxl opens it; the rows are then read in
openpyxl's streaming mode with row and column caps (assessments/imports.py). DTDs and entities are
refused by defusedxml, which openpyxl uses for every XML part when it is installed.
"""

import zipfile

# Text starting with these is read as a formula (OWASP "CSV injection"); TAB and CR because some
# programs drop them before looking at the first character.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"

# A register of 5,000 rows exported by RiskPilot is about 25 members, its largest member (the sheet)
# about 6 MB, compressed about 8 times. These bounds leave room for Excel's own additions.
XLSX_MAX_MEMBERS = 200
XLSX_MAX_MEMBER_BYTES = 40 * 1024 * 1024
XLSX_MAX_TOTAL_BYTES = 80 * 1024 * 1024
XLSX_MAX_RATIO = 100
# Small members may compress well without harm; the ratio is checked above this size.
XLSX_RATIO_FLOOR = 1024 * 1024


def cell_value(value):
    """The value to write into a spreadsheet or CSV cell: text that a spreadsheet would run as a
    formula gets a leading apostrophe; anything else (numbers, dates, None) is returned as is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return ESCAPE + value
    return value


def cell_values(values) -> list:
    return [cell_value(value) for value in values]


def unescape_text(text: str) -> str:
    """The text ``cell_value`` escaped, as typed: what an import reads back from an export."""
    if text.startswith(ESCAPE) and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


class ArchiveRefused(Exception):
    """The upload is not a zip archive, or one too large to unpack safely."""

    def __init__(self, reason: str):
        # "not_zip" (or not an Office document), "members", "member_size", "total_size", "ratio"
        self.reason = reason
        super().__init__(reason)


def check_xlsx_archive(file) -> None:
    """Raise ArchiveRefused unless the zip's directory describes a workbook of sane size. Only the
    central directory is read; the zip module never inflates a member past its declared size, so
    the declared sizes are the ones that count."""
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise ArchiveRefused("not_zip") from None
    finally:
        file.seek(0)
    if len(members) > XLSX_MAX_MEMBERS:
        raise ArchiveRefused("members")
    if not any(member.filename == "[Content_Types].xml" for member in members):
        raise ArchiveRefused("not_zip")  # a zip, but no Office document
    total = 0
    for member in members:
        if member.file_size > XLSX_MAX_MEMBER_BYTES:
            raise ArchiveRefused("member_size")
        total += member.file_size
        if member.file_size > XLSX_RATIO_FLOOR and member.file_size > XLSX_MAX_RATIO * max(
            member.compress_size, 1
        ):
            raise ArchiveRefused("ratio")
    if total > XLSX_MAX_TOTAL_BYTES:
        raise ArchiveRefused("total_size")
