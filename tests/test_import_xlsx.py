"""XLSX exports as Excel and LibreOffice write them, and workbooks made to hurt.

The workbooks are zips of hand-written SpreadsheetML parts, as the applications save
them (openpyxl, which reads them, writes no cached formula results, so it cannot make
these): shared strings, date-formatted cells, Excel serial dates, formula cells with
their cached values (<f> and <v>), a formula saved without one, an error value, empty
rows left at the end, and a <dimension> that understates the sheet.
"""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

from click.testing import CliRunner

from answerable.cli.main import cli
from conftest import BoardWriter

DEFAULTS = ["--category", "urban-construction", "--type", "complaint", "--channel", "hotline"]

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
</Types>"""
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="留言" sheetId="1" r:id="rId1"/></sheets>
</workbook>"""
WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>
</Relationships>"""
# Style 1 is Excel's built-in number format 22, "m/d/yy h:mm": a date-formatted cell.
STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<fonts count="1"><font><sz val="11"/><name val="等线"/></font></fonts>
<fills count="1"><fill><patternFill patternType="none"/></fill></fills>
<borders count="1"><border/></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="22" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>
<cellStyles count="1"><cellStyle name="常规" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""
STRINGS = [
    "留言编号", "留言时间", "留言详情", "答复意见", "答复时间", "承办单位", "地点", "备注",
    "X-1", "学府路人行道地砖破损多处，老人容易摔倒。",
    "您好！已安排市政养护单位于本周内完成修补，并设置临时警示标志，请注意绕行。此复。",
    "测试市住房和城乡建设局", "X-2", "学府路14号路灯不亮。", "X-3", "2026-11-04 10:00",
    "学府路16号井盖缺失。",
]  # fmt: skip
# 46328 is 2 November 2026 in Excel's count (days since 1899-12-30); .375 is 09:00.
SHEET = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<dimension ref="A1:H2"/>
<sheetData>
<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c><c r="F1" t="s"><v>5</v></c><c r="G1" t="s"><v>6</v></c><c r="H1" t="s"><v>7</v></c></row>
<row r="2"><c r="A2" t="s"><v>8</v></c><c r="B2" s="1"><v>46328.375</v></c><c r="C2" t="s"><v>9</v></c><c r="D2" t="s"><v>10</v></c><c r="E2" s="1"><f>B2+1</f><v>46329.375</v></c><c r="F2" t="s"><v>11</v></c><c r="G2" t="str"><f>"学府路"&amp;"12号"</f><v>学府路12号</v></c></row>
<row r="3"><c r="A3" t="s"><v>12</v></c><c r="B3"><v>46329.5</v></c><c r="C3" t="s"><v>13</v></c><c r="F3" t="s"><v>11</v></c><c r="G3"><f>CONCATENATE("学府路","14号")</f></c></row>
<row r="4"><c r="A4" t="s"><v>14</v></c><c r="B4" t="s"><v>15</v></c><c r="C4" t="s"><v>16</v></c><c r="F4" t="s"><v>11</v></c><c r="G4" s="0" t="str"><f aca="false">"学府路"&amp;"16号"</f><v>学府路16号</v></c><c r="H4" t="e"><f>VLOOKUP(A4,Z:Z,1,0)</f><v>#N/A</v></c></row>
<row r="5"><c r="A5" s="1"/><c r="B5" s="1"/></row>
<row r="9"><c r="C9" t="s"><v>{blank}</v></c></row>
</sheetData>
</worksheet>"""


def shared_strings(strings: list[str]) -> str:
    items = "".join(f"<si><t>{s}</t></si>" for s in strings)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{len(strings)}" '
        f'uniqueCount="{len(strings)}">{items}</sst>'
    )


def workbook(sheet: str, strings: list[str] = STRINGS) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/styles.xml", STYLES)
        archive.writestr("xl/sharedStrings.xml", shared_strings(strings))
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return buffer.getvalue()


def good_sheet() -> str:
    # Row 9 holds one cell of only spaces: a row that looks empty, as exports leave them.
    return SHEET.replace("{blank}", str(len(STRINGS)))


def run_import(root: Path, file: Path):
    return CliRunner().invoke(
        cli, ["import", "--board", str(root), str(file), "--system", "热线", *DEFAULTS]
    )


def test_dates_formulas_and_empty_rows_as_excel_saves_them(board: BoardWriter) -> None:
    path = board.root.parent / "export.xlsx"
    path.write_bytes(workbook(good_sheet(), [*STRINGS, "   "]))
    result = run_import(board.root, path)
    lines = result.stdout.splitlines()
    # Rows 2–4 are records: 2 tickets + 0 + 1 rejected = 3. Rows 5 to 9 show empty in a
    # spreadsheet (5 and 9 are in the file with nothing in them): 5 empty rows.
    assert lines[0] == (
        "read 3 row(s): created 2 ticket(s), 0 already imported, 1 rejected; 5 empty row(s) skipped"
    )
    assert lines[1] == (
        'export.xlsx:3: rejected: cell G3 holds a formula (=CONCATENATE("学府路","14号")) '
        "saved without its result; open the file in Excel or LibreOffice and save it again"
    )
    assert result.exit_code == 1
    first = (board.root / "tickets/2026/2026-000001/ticket.yaml").read_text("utf-8")
    assert "received: 2026-11-02T09:00:00+08:00\n" in first  # the date-formatted cell
    assert "location: 学府路12号\n" in first  # Excel's cached formula result
    reply = (board.root / "tickets/2026/2026-000001/reply-1.md").read_text("utf-8")
    assert "date: 2026-11-03T09:00:00+08:00\n" in reply  # =B2+1, cached as 46329.375
    # the time as text, LibreOffice's cached string, and an error in a column no
    # field uses (备注), which rejects nothing.
    third = (board.root / "tickets/2026/2026-000002/ticket.yaml").read_text("utf-8")
    assert "received: 2026-11-04T10:00:00+08:00\n" in third
    assert "location: 学府路16号\n" in third
    assert CliRunner().invoke(cli, ["validate", str(board.root)]).exit_code == 0


def test_a_serial_date_in_a_general_cell(board: BoardWriter) -> None:
    # Row 3 without its formula: B3 is 46329.5 in a General cell, 3 November 2026 12:00.
    sheet = good_sheet().replace('<c r="G3"><f>CONCATENATE("学府路","14号")</f></c>', "")
    path = board.root.parent / "export.xlsx"
    path.write_bytes(workbook(sheet, [*STRINGS, ""]))
    result = run_import(board.root, path)
    assert result.exit_code == 0, result.output
    second = (board.root / "tickets/2026/2026-000002/ticket.yaml").read_text("utf-8")
    assert "received: 2026-11-03T12:00:00+08:00\n" in second
    assert "location" not in second


def refused(board: BoardWriter, data: bytes, message: str) -> None:
    path = board.root.parent / "export.xlsx"
    path.write_bytes(data)
    result = run_import(board.root, path)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert message in result.output, result.output
    assert not (board.root / "tickets").exists()


def test_a_truncated_workbook(board: BoardWriter) -> None:
    data = workbook(good_sheet(), [*STRINGS, ""])
    refused(board, data[: len(data) // 2], "not an XLSX workbook, or a truncated one")


def test_a_sheet_cut_short_inside_a_whole_zip(board: BoardWriter) -> None:
    sheet = good_sheet()
    refused(
        board,
        workbook(sheet[: len(sheet) // 2], [*STRINGS, ""]),
        "xl/worksheets/sheet1.xml is broken (unclosed token: line 6",
    )


def test_a_row_past_the_last_row_of_excel(board: BoardWriter) -> None:
    sheet = good_sheet().replace('<row r="9">', '<row r="2000000000">')
    refused(board, workbook(sheet, [*STRINGS, ""]), "row 2000000000; a sheet ends at row 1,048,576")


def test_billion_laughs_in_the_sheet(board: BoardWriter) -> None:
    laughs = '<!DOCTYPE lolz [<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'
        for n in range(1, 10)
    )
    sheet = (
        good_sheet()
        .replace(
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n',
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{laughs}]>\n',
        )
        .replace("<v>8</v>", "<v>&lol9;</v>")
    )
    refused(
        board,
        workbook(sheet, [*STRINGS, ""]),
        "xl/worksheets/sheet1.xml: a DOCTYPE or entity declaration; workbooks have none",
    )


def test_a_zip_bomb_is_refused_before_unpacking(board: BoardWriter) -> None:
    # A small zip whose directory declares 4 GB for the sheet: patch the central directory
    # entry's uncompressed size (offset 24 of a "PK\1\2" record), as bomb builders do.
    data = bytearray(workbook(good_sheet(), [*STRINGS, ""]))
    entry = data.rfind(b"xl/worksheets/sheet1.xml") - 46  # the name follows a 46-byte record
    assert data[entry : entry + 4] == b"PK\x01\x02"
    struct.pack_into("<I", data, entry + 24, 0xFFFF_FFF0)
    refused(board, bytes(data), "unpacks to 4,")


def test_xml_nested_too_deep(board: BoardWriter) -> None:
    deep = "<x>" * 5000 + "</x>" * 5000
    sheet = good_sheet().replace("</sheetData>", f"</sheetData><extLst>{deep}</extLst>")
    refused(board, workbook(sheet, [*STRINGS, ""]), "XML nested more than 64 levels deep")


def test_a_huge_cell_in_a_sheet(board: BoardWriter) -> None:
    strings = [*STRINGS, "很" * 300_000]
    sheet = good_sheet().replace(
        '<c r="C3" t="s"><v>13</v></c>', f'<c r="C3" t="s"><v>{len(STRINGS)}</v></c>'
    )
    sheet = sheet.replace(
        f"<v>{len(STRINGS)}</v></c></row>\n</sheetData>", "<v>0</v></c></row>\n</sheetData>"
    )
    path = board.root.parent / "export.xlsx"
    path.write_bytes(workbook(sheet, strings))
    result = run_import(board.root, path)
    assert "export.xlsx:3: rejected: cell C3 is 300,000 characters; the limit is 32,767" in (
        result.stdout.splitlines()
    )
    assert (board.root / "tickets/2026/2026-000002/ticket.yaml").is_file()  # row 4 still in


def inline_row(number: int, values: list[str]) -> str:
    cells = "".join(
        f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{v}</t></is></c>'
        for i, v in enumerate(values)
        if v
    )
    return f'<row r="{number}">{cells}</row>'


def test_a_title_row_above_the_header(board: BoardWriter) -> None:
    """Exports of the 12345 systems often open with a merged title row above the header;
    the header is found below it, and rows keep the numbers a spreadsheet shows."""
    header = ["留言编号", "留言时间", "留言详情", "承办单位"]
    rows = [
        inline_row(1, ["测试市12345热线工单导出（2026年11月）"]),
        inline_row(2, header),
        inline_row(3, ["T-1", "2026-11-02 09:00", "学府路路灯不亮。", "测试市住房和城乡建设局"]),
        inline_row(4, ["T-2", "下午三点", "学府路井盖缺失。", "测试市住房和城乡建设局"]),
    ]
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{''.join(rows)}</sheetData>"
        '<mergeCells count="1"><mergeCell ref="A1:D1"/></mergeCells></worksheet>'
    )
    path = board.root.parent / "export.xlsx"
    path.write_bytes(workbook(sheet))
    result = run_import(board.root, path)
    lines = result.stdout.splitlines()
    # Rows 3 and 4 are the records: 1 ticket + 0 + 1 rejected = 2.
    assert lines[0] == (
        "read 2 row(s): created 1 ticket(s), 0 already imported, 1 rejected; "
        "the header is row 2, the rows above it a title"
    )
    assert lines[1].startswith("export.xlsx:4: rejected: ")
    assert result.exit_code == 1
    ticket = (board.root / "tickets/2026/2026-000001/ticket.yaml").read_text("utf-8")
    assert "received: 2026-11-02T09:00:00+08:00\n" in ticket
