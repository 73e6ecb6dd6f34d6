"""``toolkit serve`` in a real browser: Debian's headless Chromium driven by selenium through chromedriver loads
each page, fills the forms, uploads files, and the results appear. A screenshot of each page is written to
tests/artefacts/web/ (git-ignored; the paths are printed) for a person to look at."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from webkit import Server

pytestmark = pytest.mark.browser

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
BROKEN = EXAMPLES / "示例区民政局2026年报-有错.xlsx"
CLEAN = EXAMPLES / "示例区民政局2026年报.xlsx"
ARTEFACTS = Path(os.environ.get("GK_ARTEFACTS", Path(__file__).resolve().parent / "artefacts")) / "web"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--lang=zh-CN")
"""Headless, no network of its own (no updates, sync, QUIC, first-run pages)."""


def _driver(profile: Path, *, javascript: bool = True):  # type: ignore[no-untyped-def]
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument("--window-size=1280,900")
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    os.environ.setdefault("SE_OFFLINE", "true")  # never let selenium fetch a driver
    return webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(tmp_path_factory.mktemp("serve-browser"))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    assert Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists(), "apt-get install chromium chromium-driver"
    profile = Path(tempfile.mkdtemp(prefix="gk-chromium-", dir=tmp_path_factory.mktemp("profile")))
    driver = _driver(profile)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def _shot(driver, name: str) -> Path:  # type: ignore[no-untyped-def]
    """Screenshot of the whole page (the window grown to the page's height) to ARTEFACTS/name.png."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    height = driver.execute_script("return Math.max(document.body.scrollHeight, 600)")
    driver.set_window_size(1280, min(int(height) + 140, 6000))
    path = ARTEFACTS / f"{name}.png"
    assert driver.save_screenshot(str(path))
    driver.set_window_size(1280, 900)
    print(f"screenshot: {path}")
    return path


def _open(driver, server: Server, page: str) -> None:  # type: ignore[no-untyped-def]
    driver.get(f"http://127.0.0.1:{server.port}{server.base}/{page}")


def _submit(driver) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    driver.find_element(By.CSS_SELECTOR, "form input[type=submit]").click()


def _wait_for(driver, css: str, timeout: float = 60):  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR,
                                                                                                 css)))


def test_home_page(browser, server: Server) -> None:  # type: ignore[no-untyped-def]
    """The home page lists the five tasks in Chinese, each linking to its page."""
    from selenium.webdriver.common.by import By

    _open(browser, server, "")
    assert browser.title == "政府信息公开工作年度报告工具箱"
    assert "js" in browser.find_element(By.TAG_NAME, "html").get_attribute("class")  # the vendored app.js ran
    links = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "table.cards a")]
    assert links == ["1. 生成填报表", "2. 校验", "3. 生成年度报告", "4. 导入已发布的年报", "5. 整个文件夹"]
    _shot(browser, "1-home")


def test_check_broken_example(browser, server: Server) -> None:  # type: ignore[no-untyped-def]
    """校验: choosing the broken example and submitting shows the verdict and the findings table with its cell."""
    from selenium.webdriver.common.by import By

    _open(browser, server, "check")
    browser.find_element(By.ID, "workbook").send_keys(str(BROKEN))
    _submit(browser)
    table = _wait_for(browser, "#findings")
    assert "三 依申请公开!J6" in table.text
    assert browser.find_element(By.ID, "verdict").text == "有错误须修改"
    assert browser.find_element(By.PARTIAL_LINK_TEXT, "下载标红副本").get_attribute("href")
    _shot(browser, "3-check-findings")


def test_check_unusable_file_message(browser, server: Server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A text file named .xlsx gets the reader's Chinese message naming the file, in the page."""
    from selenium.webdriver.common.by import By

    fake = tmp_path / "假的年报.xlsx"
    fake.write_text("机关名称,示例镇\n本年新收,12\n", encoding="utf-8")
    _open(browser, server, "check")
    browser.find_element(By.ID, "workbook").send_keys(str(fake))
    _submit(browser)
    box = _wait_for(browser, "#message")
    assert "假的年报.xlsx" in box.text and "文本文件" in box.text
    _shot(browser, "3-check-unusable-file")


def test_template_form(browser, server: Server) -> None:  # type: ignore[no-untyped-def]
    """生成填报表: typing organ and year and submitting offers the workbook in the year's format."""
    from selenium.webdriver.common.by import By

    _open(browser, server, "template")
    _shot(browser, "2-template-form")
    browser.find_element(By.ID, "organ").send_keys("南口镇人民政府")
    year = browser.find_element(By.ID, "year")
    year.clear()
    year.send_keys("2026")
    _submit(browser)
    box = _wait_for(browser, "#result")
    assert "2021 格式" in box.text and "下载 南口镇人民政府2026年报.xlsx" in box.text
    _shot(browser, "2-template-done")


def test_report_preview(browser, server: Server) -> None:  # type: ignore[no-untyped-def]
    """生成年度报告: the clean example gives the preview in the page and the Word download."""
    from selenium.webdriver.common.by import By

    _open(browser, server, "report")
    browser.find_element(By.ID, "workbook").send_keys(str(CLEAN))
    _submit(browser)
    frame = _wait_for(browser, "#preview", timeout=120)
    assert browser.find_element(By.PARTIAL_LINK_TEXT, ".docx")
    browser.switch_to.frame(frame)
    assert "示例区民政局2026年\n政府信息公开工作年度报告" in browser.find_element(By.TAG_NAME, "body").text
    browser.switch_to.default_content()
    _shot(browser, "4-report-preview")


def test_import_page(browser, server: Server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """导入已发布的年报: a saved report page becomes the workbook, with the counts shown."""
    from selenium.webdriver.common.by import By

    from toolkit import api

    page = api.make_report(CLEAN, to="html", output=tmp_path / "示例区民政局2026年报.html").path
    assert page is not None
    _open(browser, server, "import")
    browser.find_element(By.ID, "report").send_keys(str(page))
    _submit(browser)
    box = _wait_for(browser, "#result")
    assert "已导入 示例区民政局2026年报.html" in box.text
    _shot(browser, "5-import")


def test_folder_page(browser, server: Server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """整个文件夹: several files chosen at once give the per-unit table and the summary download."""
    from selenium.webdriver.common.by import By

    units = tmp_path / "各单位"
    units.mkdir()
    for name, src in (("甲镇.xlsx", CLEAN), ("乙镇.xlsx", BROKEN)):
        shutil.copyfile(src, units / name)
    (units / "丙镇.xlsx").write_text("这不是工作簿", encoding="utf-8")
    _open(browser, server, "folder")
    browser.find_element(By.ID, "workbooks").send_keys("\n".join(str(p) for p in sorted(units.iterdir())))
    browser.find_element(By.ID, "organ").send_keys("示例区")
    _submit(browser)
    table = _wait_for(browser, "#units")
    for piece in ("甲镇.xlsx", "乙镇.xlsx", "丙镇.xlsx", "无法读取", "有错误"):
        assert piece in table.text
    assert browser.find_element(By.PARTIAL_LINK_TEXT, "校验汇总.xlsx")
    _shot(browser, "6-folder")


def test_english_page(browser, server: Server) -> None:  # type: ignore[no-untyped-def]
    """The English switch on the page gives the same page in English."""
    from selenium.webdriver.common.by import By

    _open(browser, server, "check")
    browser.find_element(By.LINK_TEXT, "English").click()
    _wait_for(browser, "form")
    assert "Filled workbook" in browser.find_element(By.TAG_NAME, "body").text
    _shot(browser, "7-check-english")


def test_check_works_with_javascript_off(server: Server, tmp_path: Path) -> None:
    """With JavaScript disabled the check form still works: plain HTML forms."""
    from selenium.webdriver.common.by import By

    driver = _driver(tmp_path / "profile-nojs", javascript=False)
    try:
        _open(driver, server, "check")
        driver.find_element(By.ID, "workbook").send_keys(str(BROKEN))
        _submit(driver)
        assert "三 依申请公开!J6" in _wait_for(driver, "#findings").text
        assert "js" not in (driver.find_element(By.TAG_NAME, "html").get_attribute("class") or "")  # app.js did not run
        _shot(driver, "8-check-no-javascript")
    finally:
        driver.quit()
