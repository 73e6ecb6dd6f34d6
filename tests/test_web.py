"""``toolkit serve``: the server runs as a subprocess on a free port and every action is driven by real HTTP
requests (multipart uploads); the answers, downloads and refusals are checked, hostile uploads included."""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import openpyxl
import pytest
from hostile.make_corpus import make_corpus
from webkit import Reply, Server, fetch

from toolkit import api
from toolkit.office import find_soffice
from toolkit.web.multipart import parse_form
from toolkit.web.store import content_disposition, display_name, safe_suffix

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
BROKEN = EXAMPLES / "示例区民政局2026年报-有错.xlsx"
CLEAN = EXAMPLES / "示例区民政局2026年报.xlsx"
BROKEN_CELL = "三 依申请公开!J6"
"""The total typed over in the broken example (一、本年新收 / 总计)."""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(tmp_path_factory.mktemp("serve"))
    yield running
    running.stop()


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _links(html: str) -> dict[str, str]:
    """Download link text → address."""
    return {_text(m.group(2)).strip(): m.group(1).replace("&amp;", "&")
            for m in re.finditer(r'<a class="[^"]*" href="([^"]*/files/[^"]*)">(.*?)</a>', html)}


def _download(server: Server, html: str, contains: str) -> Reply:
    (href,) = [h for text, h in _links(html).items() if contains in text]
    reply = server.request("GET", href)
    assert reply.status == 200
    return reply


def _saved_name(reply: Reply) -> str:
    return unquote(reply.headers["content-disposition"].split("filename*=UTF-8''", 1)[1])


def test_every_page_is_chinese_webkit_hinted_and_self_contained(server: Server) -> None:
    """Each page answers in Chinese with the renderer hint and no asset from anywhere but this server."""
    for page in ("/", "/template", "/check", "/report", "/import", "/folder"):
        reply = server.get(page)
        assert reply.status == 200, page
        html = reply.text
        assert '<meta name="renderer" content="webkit">' in html
        assert "政府信息公开工作年度报告工具箱" in html and "生成填报表" in html
        assert not re.search(r'(src|href|action)="(https?:)?//', html), page
        assert reply.headers["x-ua-compatible"] == "IE=edge"
    css = server.get("/static/style.css")
    assert css.status == 200 and not re.search(r"display:\s*(grid|flex)", css.text) and b"http" not in css.body


def test_english_switch(server: Server) -> None:
    """?lang=en gives the same page in English, with a link back to Chinese."""
    html = server.get("/check?lang=en").text
    assert "Check" in html and "Filled workbook" in html and ">中文<" in html
    checked = _text(server.post("check", files=[("workbook", BROKEN.name, BROKEN.read_bytes())], lang="en").text)
    assert "Errors: must be fixed" in checked and "5 errors, 2 warnings" in checked and BROKEN_CELL in checked


def test_missing_or_wrong_token_is_403(server: Server) -> None:
    """Without the start's token nothing is served or accepted: pages, posts, downloads, static files."""
    body, ctype = b"--x--\r\n", "multipart/form-data; boundary=x"
    for method, path in (("GET", "/"), ("GET", "/check"), ("GET", "/static/style.css"),
                         ("GET", f"/{server.token}x/"), ("POST", "/wrongtoken/check"),
                         ("POST", "/check"), ("GET", "/wrong/files/abc/checked")):
        reply = server.request(method, path, body if method == "POST" else None, {"Content-Type": ctype})
        assert reply.status == 403, (method, path)
        assert "拒绝访问" in reply.text
    assert fetch(f"http://127.0.0.1:{server.port}/").status == 403


def test_host_header_must_be_this_machine(server: Server) -> None:
    """A request naming another host (DNS rebinding) or another port is refused; localhost is fine."""
    path = server.base + "/"
    for host in ("evil.example", f"evil.example:{server.port}", "127.0.0.1.evil.example", "192.168.1.5",
                 f"127.0.0.1:{server.port + 1}", ""):
        reply = server.request("GET", path, headers={"Host": host})
        assert reply.status == 421, host
        assert "127.0.0.1" in reply.text
    for host in (f"localhost:{server.port}", f"127.0.0.1:{server.port}", "LOCALHOST"):
        assert server.request("GET", path, headers={"Host": host}).status == 200, host


def test_template_shows_the_format_chosen_and_downloads_the_workbook(server: Server) -> None:
    """生成填报表: organ and year give the workbook in the year's format, named after organ and year."""
    for year, fmt, document in ((2026, "2021", "〔2021〕30号"), (2020, "2019", "〔2019〕60号")):
        reply = server.post("template", {"organ": "南口镇", "year": str(year), "format": ""})
        assert reply.status == 200
        text = _text(reply.text)
        assert f"{year}年度的填报表，使用 {fmt} 格式" in text and document in text
        download = _download(server, reply.text, "下载")
        assert _saved_name(download) == f"南口镇{year}年报.xlsx"
        wb = openpyxl.load_workbook(io.BytesIO(download.body))
        assert any(name.startswith("三") for name in wb.sheetnames)
        data = api.read(_save(download, server.tmp / f"t{year}.xlsx"))
        assert (data.organ, data.year, data.format_id) == ("南口镇", year, fmt)


def _save(reply: Reply, path: Path) -> Path:
    path.write_bytes(reply.body)
    return path


def test_template_from_last_years_workbook(server: Server) -> None:
    """With last year's workbook and no year, the next year's workbook is pre-filled for the same organ."""
    reply = server.post("template", {"organ": "", "year": ""}, [("previous", CLEAN.name, CLEAN.read_bytes())])
    assert "示例区民政局 2027年度的填报表" in _text(reply.text)
    data = api.read(_save(_download(server, reply.text, "下载"), server.tmp / "next.xlsx"))
    assert (data.organ, data.year) == ("示例区民政局", 2027)


def test_template_bad_year_is_a_chinese_message(server: Server) -> None:
    """A year that is not a number, or one no format covers, is said in Chinese; nothing is offered."""
    for year, says in (("二〇二六", "不是四位数字"), ("1999", "")):
        text = _text(server.post("template", {"organ": "甲", "year": year}).text)
        assert "无法完成" in text and says in text and "/files/" not in text


def test_check_lists_the_broken_cell_and_the_copy_is_red(server: Server) -> None:
    """校验: the findings table names the broken cell, errors come first, one verdict; the copy has the red fill."""
    reply = server.post("check", files=[("workbook", BROKEN.name, BROKEN.read_bytes())])
    assert reply.status == 200
    html = reply.text
    table = html[html.index('id="findings"'):]
    assert BROKEN_CELL in table
    assert "有错误须修改" in _text(html) and "错误 5 项，警告 2 项" in _text(html)
    for heading in ("级别", "位置", "问题", "应为", "实为", "处理建议"):
        assert f">{heading}</th>" in table
    rows = re.findall(r'<tr class="group (\w+)">', table)
    assert rows == sorted(rows, key=["error", "warning", "info"].index) and rows[0] == "error"
    assert "三：总计列等于自然人与法人或其他组织各列之和（2 处）" in _text(table)
    copy = _download(server, html, "标红副本")
    assert _saved_name(copy) == "示例区民政局2026年报-有错.校验.xlsx"
    wb = openpyxl.load_workbook(io.BytesIO(copy.body))
    sheet, cell = BROKEN_CELL.split("!")
    assert wb[sheet][cell].fill.fgColor.rgb.endswith("FFC7CE")
    assert "校验结果" in wb.sheetnames


def test_check_clean_example_verdict(server: Server) -> None:
    """A workbook without errors gets 可以上报 or 有警告须说明, never the error verdict."""
    text = _text(server.post("check", files=[("workbook", CLEAN.name, CLEAN.read_bytes())]).text)
    result = api.check_file(CLEAN, annotate=False)
    assert ("有警告须说明" if result.warnings else "可以上报") in text and "有错误须修改" not in text


def test_check_with_last_year_runs_the_cross_year_rules(server: Server) -> None:
    """With last year's workbook the cross-year rules run (the page shows what the library finds)."""
    reply = server.post("check", files=[("workbook", BROKEN.name, BROKEN.read_bytes()),
                                        ("previous", CLEAN.name, CLEAN.read_bytes())])
    expected = api.check_file(BROKEN, annotate=False, previous=CLEAN)
    assert f"错误 {expected.errors} 项，警告 {expected.warnings} 项" in _text(reply.text)
    for code in {f.code for f in expected.findings}:
        assert code in reply.text


def test_report_preview_and_word(server: Server) -> None:
    """生成年度报告: the preview is in the page, the .docx opens with python-docx and carries the title."""
    import docx

    reply = server.post("report", {"pdf": ""}, [("workbook", CLEAN.name, CLEAN.read_bytes())])
    html = reply.text
    match = re.search(r'<iframe class="preview" id="preview" src="([^"]+)"', html)
    assert match
    preview = server.request("GET", match.group(1))
    assert preview.status == 200 and "示例区民政局2026年政府信息公开工作年度报告" in preview.text
    assert "sandbox" in preview.headers["content-security-policy"]
    word = _download(server, html, ".docx")
    assert _saved_name(word) == "示例区民政局2026年政府信息公开工作年度报告.docx"
    document = docx.Document(io.BytesIO(word.body))
    assert any("政府信息公开工作年度报告" in p.text for p in document.paragraphs)


@pytest.mark.libreoffice
def test_report_pdf_with_libreoffice(server: Server) -> None:
    """Where LibreOffice is installed the page offers the PDF too."""
    assert find_soffice() is not None
    reply = server.post("report", {"pdf": "1"}, [("workbook", CLEAN.name, CLEAN.read_bytes())])
    pdf = _download(server, reply.text, ".pdf")
    assert pdf.body.startswith(b"%PDF") and pdf.headers["content-type"] == "application/pdf"


def test_report_refused_with_errors_unless_forced(server: Server) -> None:
    """A workbook with errors gets no report but its findings; forced, the report is made and says so."""
    refused = server.post("report", files=[("workbook", BROKEN.name, BROKEN.read_bytes())])
    assert "有 5 项错误，未生成报告" in _text(refused.text) and BROKEN_CELL in refused.text
    assert "/files/" not in refused.text
    forced = server.post("report", {"force": "1"}, [("workbook", BROKEN.name, BROKEN.read_bytes())])
    assert "已强制生成" in _text(forced.text)
    assert _download(server, forced.text, ".docx").body.startswith(b"PK")


def test_import_published_page_lists_what_is_missing(server: Server, tmp_path: Path) -> None:
    """导入已发布的年报: a saved page becomes the workbook; a report cut short lists what is missing."""
    page = api.make_report(CLEAN, to="html", output=tmp_path / "年报.html").path
    assert page is not None
    reply = server.post("import", files=[("report", "示例区民政局年报.html", page.read_bytes())])
    text = _text(reply.text)
    assert "已导入 示例区民政局年报.html：示例区民政局 2026年度" in text
    workbook = _download(server, reply.text, "下载")
    assert _saved_name(workbook) == "示例区民政局2026年报.xlsx"
    assert api.read(_save(workbook, tmp_path / "back.xlsx")).organ == "示例区民政局"
    cut = page.read_text(encoding="utf-8")
    cut = cut[: cut.index("四、")] if "四、" in cut else cut[: len(cut) // 2]
    reply = server.post("import", files=[("report", "截断.htm", cut.encode())])
    assert 'id="missing"' in reply.text and "缺" in _text(reply.text)


def test_import_text_and_word(server: Server, tmp_path: Path) -> None:
    """.txt and .docx reports are imported as the CLI imports them."""
    word = api.make_report(CLEAN, to="docx", output=tmp_path / "年报.docx").path
    assert word is not None
    for name, data in (("年报.docx", word.read_bytes()),
                       ("年报.md", api.make_report(CLEAN, to="md", output=tmp_path / "年报.md").path.read_bytes())):  # type: ignore[union-attr]
        text = _text(server.post("import", files=[("report", name, data)]).text)
        assert f"已导入 {name}：示例区民政局 2026年度" in text, text[-600:]


def test_folder_summary_and_merge(server: Server, tmp_path: Path) -> None:
    """整个文件夹: one row per unit (an unreadable one included), 校验汇总.xlsx by the units' own names, and the
    merge refused over errors unless forced."""
    from toolkit.spec import load_spec
    from toolkit.template import build_template

    other = api.read(BROKEN)  # another organ: the same organ and year twice would be refused as a duplicate
    other.info["organ"] = "乙单位"
    other_path = build_template(load_spec(other.format_id), tmp_path / "乙单位.xlsx", data=other)
    files = [("workbooks", "甲单位.xlsx", CLEAN.read_bytes()), ("workbooks", "乙单位.xlsx", other_path.read_bytes()),
             ("workbooks", "坏文件.xlsx", b"not a workbook, just text\n")]
    reply = server.post("folder", {"organ": "示例区"}, files)
    html, text = reply.text, _text(reply.text)
    assert "共 3 个文件" in text and "有错误 1 个，无法读取 1 个" in text
    units = _text(html[html.index('id="units"'):])
    for piece in ("甲单位.xlsx", "乙单位.xlsx", "坏文件.xlsx", "无法读取", "有错误"):
        assert piece in units
    assert "文本文件" in units  # the reader's own message for the text file
    assert 'id="merge-refused"' in html and "汇总.xlsx" not in _links(html).get("下载 汇总.xlsx", "")
    summary = _download(server, html, "校验汇总.xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(summary.body)).active
    names = [ws.cell(row, 8).value for row in range(2, 5)]
    assert names == ["甲单位.xlsx", "乙单位.xlsx", "坏文件.xlsx"]
    assert ws.cell(3, 9).hyperlink.target == "乙单位.校验.xlsx"
    forced = server.post("folder", {"organ": "示例区", "force": "1"}, files)
    merged = _download(server, forced.text, "下载 汇总.xlsx")
    data = api.read(_save(merged, tmp_path / "汇总.xlsx"))
    assert data.organ == "示例区"
    assert "各单位明细" in openpyxl.load_workbook(tmp_path / "汇总.xlsx").sheetnames
    assert "未计入汇总" in _text(forced.text)
    copies = [h for t, h in _links(forced.text).items() if t == "标红副本"]
    assert copies


def test_folder_same_file_names_stay_apart(server: Server) -> None:
    """Two units uploaded under the same name (from different folders) are listed apart, as 甲.xlsx and 甲 (2).xlsx."""
    files = [("workbooks", "a/甲.xlsx", CLEAN.read_bytes()), ("workbooks", "b/甲.xlsx", BROKEN.read_bytes())]
    units = _text(server.post("folder", {}, files).text)
    assert "甲.xlsx" in units and "甲 (2).xlsx" in units


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return make_corpus(tmp_path_factory.mktemp("hostile"))


def test_hostile_uploads_get_a_chinese_message_and_leave_nothing(server: Server, corpus: dict[str, Path]) -> None:
    """Every hostile or broken file through 校验: a Chinese answer, the server keeps running, and an upload that
    cannot be used leaves no file in the server's temporary folder."""
    for case, path in corpus.items():
        if not path.is_file() or path.stat().st_size > 20 << 20:
            continue
        before = server.files_left()
        reply = server.post("check", files=[("workbook", path.name, path.read_bytes())])
        assert reply.status == 200, case
        text = _text(reply.text)
        assert "程序内部错误" not in text, case
        if "无法完成" in text:
            assert re.search(r"[\u4e00-\u9fff]{4}", text[text.index("无法完成"):]), case
            assert path.name in text or case in ("zip_bomb", "zip_bomb_lying"), case  # names the file
            assert server.files_left() == before, case
        else:
            assert 'id="verdict"' in text or "verdict" in reply.text, case
        assert server.alive(), case


def test_zip_bomb_and_text_named_xlsx(server: Server, corpus: dict[str, Path]) -> None:
    """A zip bomb and a text file named .xlsx are refused with the gate's Chinese message, nothing kept."""
    before = server.files_left()
    for case, says in (("zip_bomb", "异常"), ("text_as_xlsx", "文本文件")):
        path = corpus[case]
        text = _text(server.post("check", files=[("workbook", path.name, path.read_bytes())]).text)
        assert "无法完成" in text and says in text and path.name in text, case
    assert server.files_left() == before and server.alive()


def test_oversized_and_malformed_posts(server: Server) -> None:
    """An upload over the limit is 413 with a Chinese message; a malformed body is 400; the server keeps going."""
    before = server.files_left()
    big = server.post("check", files=[("workbook", "大.xlsx", b"\0" * (21 << 20))])
    assert big.status == 413 and "过大" in big.text
    bad = server.request("POST", server.base + "/check", b"garbage", {"Content-Type": "multipart/form-data"})
    assert bad.status == 400 and "表单内容不完整" in bad.text
    cut = server.request("POST", server.base + "/check", b"--b\r\nContent-Disposition: form-data; name=\"x\"",
                         {"Content-Type": "multipart/form-data; boundary=b"})
    assert cut.status == 400
    empty = server.post("check")
    assert "请先选择文件" in _text(empty.text)
    assert server.files_left() == before and server.alive()


def test_uploaded_names_are_never_paths(server: Server) -> None:
    """A file name with folders, '..' or control characters is stored under a fixed name inside the private
    folder and shown cleaned."""
    outside = server.tmp / "evil.xlsx"
    for name in ("../../evil.xlsx", "..\\..\\evil.xlsx", "/tmp/evil.xlsx", "a\x1b[31m\u202eevil.xlsx"):
        reply = server.post("check", files=[("workbook", name, BROKEN.read_bytes())])
        assert BROKEN_CELL in reply.text
        assert "\x1b" not in reply.text and "\u202e" not in reply.text and ".." not in _text(reply.text)
    assert not outside.exists()
    stored = {p.name for p in server.files_left()}
    assert all(re.fullmatch(r"(upload|previous|unit|template|checked|report|imported|summary|merged)[-\w.]*", n)
               or n.endswith(".校验.xlsx") for n in stored), stored


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_temp_folder_is_private_and_removed_on_exit(tmp_path: Path, stop: signal.Signals) -> None:
    """The server's temporary folder is mode 0700 and disappears when the server is stopped (SIGTERM, Ctrl+C)."""
    server = Server(tmp_path)
    try:
        root = server.root()
        assert root.stat().st_mode & 0o777 == 0o700
        server.post("check", files=[("workbook", BROKEN.name, BROKEN.read_bytes())])
        assert server.files_left()
        server.proc.send_signal(stop)
        assert server.proc.wait(20) == 0
    finally:
        server.stop()
    assert not root.exists()
    assert "已退出" in server.proc_stderr


def test_without_libreoffice_the_page_says_so(tmp_path: Path) -> None:
    """Where LibreOffice is not installed the report page says no PDF can be made, and Word is still offered."""
    os.environ["GK_SOFFICE"] = str(tmp_path / "no-soffice")
    try:
        server = Server(tmp_path / "serve")
    finally:
        del os.environ["GK_SOFFICE"]
    try:
        assert "本机未安装 LibreOffice" in _text(server.get("/report").text)
        reply = server.post("report", {"pdf": "1"}, [("workbook", CLEAN.name, CLEAN.read_bytes())])
        text = _text(reply.text)
        assert "本机未安装 LibreOffice，无法生成 PDF" in text and ".docx" in text and ".pdf" not in text
    finally:
        server.stop()


def test_web_layer_holds_no_domain_logic() -> None:
    """toolkit/web imports no spreadsheet, Word or rule machinery: every action is a call into toolkit.api/batch."""
    web = Path(__file__).resolve().parents[1] / "toolkit" / "web"
    warm_up = {"rules.engine", "toolkit.workbook"}  # server.py imports these early only to make the first check quick
    for source in web.glob("*.py"):
        text = source.read_text(encoding="utf-8")
        for banned in ("openpyxl", "xlsxwriter", "python_calamine", "import docx", "rules.engine", "toolkit.workbook",
                       "toolkit.render", "toolkit.importer", "toolkit.template"):
            allowed = source.name == "server.py" and banned in warm_up
            assert allowed or banned not in text, (source.name, banned)


def test_port_option_and_busy_port(tmp_path: Path) -> None:
    """--port serves on that port; a port already in use is exit code 2 with a Chinese message, nothing left."""
    first = Server(tmp_path / "a")
    try:
        second = Server(tmp_path / "b", "--port", str(_free_port()))
        assert second.alive()
        second.stop()
        env = {**os.environ, "TMPDIR": str(tmp_path / "c"), "PYTHONIOENCODING": "utf-8"}
        (tmp_path / "c").mkdir()
        proc = subprocess.run([sys.executable, "-m", "toolkit", "serve", "--no-browser", "--port", str(first.port)],
                              capture_output=True, text=True, timeout=30, env=env)
        assert proc.returncode == 2 and "无法使用端口" in proc.stderr and "Traceback" not in proc.stderr
        assert not list((tmp_path / "c").iterdir())
    finally:
        first.stop()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_form_parsing_and_download_names() -> None:
    """Browser-style multipart bodies parse (UTF-8 names, empty inputs dropped); names are cleaned for display;
    Content-Disposition carries an ASCII fallback and the RFC 5987 UTF-8 name."""
    body = (b'--b\r\nContent-Disposition: form-data; name="organ"\r\n\r\n\xe5\x8d\x97\xe5\x8f\xa3\xe9\x95\x87\r\n'
            b'--b\r\nContent-Disposition: form-data; name="workbook"; filename="\xe5\xb9\xb4\xe6\x8a\xa5.xlsx"\r\n'
            b"Content-Type: application/octet-stream\r\n\r\nPK\r\n\x00\r\n"
            b'--b\r\nContent-Disposition: form-data; name="previous"; filename=""\r\n\r\n\r\n--b--\r\n')
    form = parse_form("multipart/form-data; boundary=b", body)
    assert form.get("organ") == "南口镇"
    upload = form.file("workbook")
    assert upload is not None and upload.filename == "年报.xlsx" and upload.data == b"PK\r\n\x00"
    assert form.file("previous") is None
    assert display_name("C:\\Users\\x\\年报.xlsx") == "年报.xlsx"
    assert display_name("../../.bashrc") == "bashrc"
    assert display_name("\u202egpj.xlsx") == "_gpj.xlsx"
    assert display_name("") == "上传的文件"
    assert safe_suffix("年报.XLSX") == ".xlsx" and safe_suffix("x.xlsx/../../a") == "" and safe_suffix("a.$x") == ""
    header = content_disposition('年报"2026".xlsx')
    assert header.startswith('attachment; filename="___2026_.xlsx"; filename*=UTF-8\'\'')
    assert unquote(header.split("''", 1)[1]) == '年报"2026".xlsx'


def test_served_files_exist_in_the_package() -> None:
    """Templates and static files are package data (a wheel install serves the same page)."""
    import tomllib

    config = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    data = config["tool"]["setuptools"]["package-data"]["toolkit"]
    assert "web/templates/*" in data and "web/static/*" in data


def test_start_scripts(tmp_path: Path) -> None:
    """scripts/toolkit-serve.sh starts the page (the .bat is CRLF and runs the same command on Windows)."""
    scripts = Path(__file__).resolve().parents[1] / "scripts"
    bat = (scripts / "toolkit-serve.bat").read_bytes()
    assert b"\r\n" in bat and b"\n" not in bat.replace(b"\r\n", b"")
    assert b"-m toolkit serve %*" in bat
    env = {**os.environ, "TMPDIR": str(tmp_path), "PATH": f"{Path(sys.executable).parent}{os.pathsep}"
           f"{os.environ.get('PATH', '')}"}
    proc = subprocess.Popen(["sh", str(scripts / "toolkit-serve.sh"), "--no-browser"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().decode().strip()
        assert url.startswith("http://127.0.0.1:")
        assert fetch(url).status == 200
    finally:
        proc.terminate()
        proc.wait(20)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    assert proc.returncode == 0 and not list(tmp_path.glob("gk-serve-*"))


def test_stale_temp_folders_of_killed_servers_are_removed(tmp_path: Path) -> None:
    """A start removes gk-serve-* folders untouched for a day (left by a killed server), not recent ones."""
    from toolkit.web.store import STALE_SECONDS, Store

    old, recent, other = tmp_path / "gk-serve-old", tmp_path / "gk-serve-recent", tmp_path / "someone-else"
    for folder in (old, recent, other):
        (folder / "job-x").mkdir(parents=True)
        (folder / "job-x" / "upload-1.xlsx").write_bytes(b"PK")
    long_ago = old.stat().st_mtime - STALE_SECONDS - 60
    for folder in (old, other):
        os.utime(folder, (long_ago, long_ago))
    store = Store(tmp_path)
    try:
        assert not old.exists() and recent.exists() and other.exists()
        shutil.rmtree(store.root)
        assert store.new_job().folder.is_dir()  # the store recreates its folder if it was removed meanwhile
    finally:
        store.close()


def test_warm_up_imports_what_a_check_needs() -> None:
    """The server's warm-up (run in a thread while the first page loads) imports the check and the copy, so the
    first check does not pay for them; in a fresh interpreter, where nothing else has imported them."""
    code = ("import sys; from toolkit.web.server import _warm_up; before = set(sys.modules); _warm_up(); "
            "print(sorted({'toolkit.checking', 'toolkit.annotate.build', 'toolkit.rules.engine', "
            "'toolkit.workbook.book'} & (set(sys.modules) - before)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == ("['toolkit.annotate.build', 'toolkit.checking', 'toolkit.rules.engine', "
                           "'toolkit.workbook.book']")
