"""Hostile files for the upload and import endpoints, generated on the spot (none is stored in the
repository): spreadsheet bombs, broken archives, XML with DTDs and entities, wrong types.

Each builder returns bytes small enough to upload; what they unpack or expand to is the attack."""

import io
import zipfile

from openpyxl import Workbook

SHARED_STRINGS_REL = (
    '<Relationship Id="rIdSS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'sharedStrings" Target="sharedStrings.xml"/>'
)
SHARED_STRINGS_TYPE = (
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.sharedStrings+xml"/>'
)
SHEET = "xl/worksheets/sheet1.xml"
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def plain_workbook(rows=(("Структурное подразделение", "Номер рабочего места"),)) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def replace_members(content: bytes, replacements: dict[str, bytes | str], *, level: int = 9) -> bytes:
    """The workbook with some members rewritten (or added), compressed hard as a bomb would be."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as target:
        for info in source.infolist():
            if info.filename not in replacements:
                target.writestr(info.filename, source.read(info.filename))
        for name, data in replacements.items():
            target.writestr(name, data.encode() if isinstance(data, str) else data)
    return buffer.getvalue()


def wide_dimension_bomb(rows: int = 5001) -> bytes:
    """A sheet that declares A1:XFD1048576 (16,384 columns) and has ``rows`` short rows: a
    streaming reader that trusts the declaration pads every row to 16,384 cells."""
    body = "".join(
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>x</t></is></c></row>' for r in range(1, rows + 1)
    )
    sheet = f'{SHEET_HEAD}<dimension ref="A1:XFD1048576"/><sheetData>{body}</sheetData></worksheet>'
    return replace_members(plain_workbook(), {SHEET: sheet})


def wide_rows(columns: int = 200) -> bytes:
    """A real sheet wider than any register: cells up to column ``columns``."""
    return plain_workbook([[f"c{i}" for i in range(columns)], ["x"] * columns])


def shared_strings_bomb(megabytes: int = 60) -> bytes:
    """A few hundred KB that unpack to a sharedStrings.xml of ``megabytes`` MB of tiny strings."""
    content = plain_workbook()
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", SHARED_STRINGS_REL.encode() + b"</Relationships>")
            elif info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", SHARED_STRINGS_TYPE.encode() + b"</Types>")
            target.writestr(info.filename, data)
        chunk = b"<si><t>a</t></si>" * 65536  # 1 MB
        with target.open("xl/sharedStrings.xml", "w", force_zip64=True) as strings:
            strings.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            for _ in range(megabytes):
                strings.write(chunk)
            strings.write(b"</sst>")
    return buffer.getvalue()


def ratio_bomb() -> bytes:
    """A 3 MB member of one repeated byte: small in size, absurd in compression ratio."""
    return replace_members(plain_workbook(), {"xl/media/image1.xml": b" " * (3 * 1024 * 1024)})


def many_members(count: int = 5000) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for index in range(count):
            archive.writestr(f"xl/part{index}.xml", "<a/>")
    return buffer.getvalue()


def truncated_zip() -> bytes:
    content = plain_workbook()
    return content[: len(content) // 2]


def truncated_xml() -> bytes:
    """A sound archive whose sheet's XML stops in the middle of a tag."""
    return replace_members(plain_workbook(), {SHEET: f'{SHEET_HEAD}<sheetData><row r="1"><c r="A1" t="inl'})


def billion_laughs() -> bytes:
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    sheet = (
        f'<?xml version="1.0"?><!DOCTYPE worksheet [{entities}]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
    )
    return replace_members(plain_workbook(), {SHEET: sheet})


def external_entity() -> bytes:
    sheet = (
        '<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData></worksheet>'
    )
    return replace_members(plain_workbook(), {SHEET: sheet})


def dtd_in_workbook_part() -> bytes:
    """The DTD in the workbook part, which openpyxl parses while opening the file."""
    workbook = zipfile.ZipFile(io.BytesIO(plain_workbook())).read("xl/workbook.xml").decode()
    return replace_members(
        plain_workbook(),
        {"xl/workbook.xml": '<!DOCTYPE workbook [<!ENTITY a "b">]>' + workbook.split("?>", 1)[-1]},
    )


def html_as_png() -> bytes:
    return b"<html><body><script>alert(document.cookie)</script></body></html>"


# Files every upload endpoint must refuse cleanly, by name.
XLSX_BOMBS = {
    "wide_dimension": wide_dimension_bomb,
    "shared_strings": shared_strings_bomb,
    "ratio": ratio_bomb,
    "many_members": many_members,
    "truncated_zip": truncated_zip,
    "truncated_xml": truncated_xml,
    "billion_laughs": billion_laughs,
    "external_entity": external_entity,
    "dtd_in_workbook": dtd_in_workbook_part,
}
