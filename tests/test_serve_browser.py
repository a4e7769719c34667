"""The web page in a real headless Chromium (Debian's chromium + chromium-driver, Selenium):
type into the page, read the results, compare them with the library's, save a screenshot.

Skipped with a reason where no browser is installed (``.ci/run`` installs one). Set
``SIMVEC_UPDATE_DOCS=1`` to refresh docs/img/serve-page.png from the screenshot.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
uvicorn = pytest.importorskip("uvicorn")
webdriver = pytest.importorskip("selenium.webdriver")

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from simvec.keywords.methods import DEFAULT_METHOD  # noqa: E402
from simvec.keywords.pair import keyword_similarities  # noqa: E402
from simvec.keywords.topk import rank_collection  # noqa: E402
from simvec.serve import Collection, create_app  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
DOCS = [("d1", ["machine learning", "statistics", "data"]),
        ("d2", ["football", "goal", "league"]),
        ("d3", ["neural network", "deep learning"]),
        ("d4", ["cooking", "recipe", "kitchen"]),
        ("d5", ["stock market", "investment", "bank"])]


def _browser():
    driver = shutil.which("chromedriver")
    binary = next((shutil.which(b) for b in BROWSERS if shutil.which(b)), None)
    if driver is None or binary is None:
        pytest.skip("no headless browser: install Debian's chromium and chromium-driver "
                    "(apt-get install -y chromium chromium-driver; .ci/run does)")
    return driver, binary


@pytest.fixture(scope="module")
def server(glove50):
    coll = Collection(ids=[d for d, _ in DOCS], keyword_lists=[k for _, k in DOCS],
                      name="demo.jsonl")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(glove50, vectors_name="glove-6B-50d",
                                                   collection=coll),
                                        host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline, "uvicorn did not start within 20 s"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", coll
    srv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser():
    driver_path, binary = _browser()
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = binary
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1300,1480", "--hide-scrollbars"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    drv = webdriver.Chrome(service=Service(executable_path=driver_path), options=opts)
    drv.set_page_load_timeout(30)
    yield drv
    drv.quit()


def _type(drv, element_id: str, text: str):
    el = drv.find_element(By.ID, element_id)
    el.clear()
    el.send_keys(text)


def test_the_page_compares_finds_searches_and_maps(server, browser, glove50, tmp_path):
    url, coll = server
    drv, wait = browser, WebDriverWait(browser, 20)
    drv.get(url + "/")
    wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "1")
    assert "400,000 words" in drv.find_element(By.ID, "info").text
    assert "5 documents" in drv.find_element(By.ID, "search-status").text

    # compare two keyword lists: the score shown is the library's
    a, b = "machine learning, neural network, zzqxv", "deep learning, artificial intelligence"
    _type(drv, "a", a)
    _type(drv, "b", b)
    drv.find_element(By.ID, "compare-go").click()
    wait.until(EC.visibility_of_element_located((By.ID, "compare-out")))
    ref = keyword_similarities(a, b, glove50, (DEFAULT_METHOD, "mean", "best_match"))
    assert drv.find_element(By.ID, "score").text == f"{ref[DEFAULT_METHOD].score:.3f}"
    assert drv.find_element(By.ID, "mean-cosine").text == f"{ref['mean'].score:.3f}"
    assert "zzqxv" in drv.find_element(By.ID, "oov").text
    cells = drv.find_elements(By.CSS_SELECTOR, "#heatmap td")
    assert len(cells) == 2 * 2  # in-vocabulary keywords of a x b
    # the alignment behind the score: 4 in-vocabulary tokens on each side, with weights
    rows = drv.find_elements(By.CSS_SELECTOR, "#alignment tbody tr")
    assert len(rows) == 4 + 4
    align = ref[DEFAULT_METHOD].alignment
    first = [c.text for c in rows[1].find_elements(By.TAG_NAME, "td")]
    m = align["a"][1]  # "learning" of "machine learning", matched to itself in "deep learning"
    assert first == ["a", "machine learning", "learning", "learning (deep learning)",
                     f"{m.cosine:.3f}", f"{m.weight:.3f}"]
    assert "sif_best_match, token level" in drv.find_element(By.ID, "alignment-how").text

    # nearest neighbours of a word
    _type(drv, "word", "frog")
    drv.find_element(By.ID, "neighbors-go").click()
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#neighbors-out li")) == 10)
    shown = [li.get_attribute("data-word")
             for li in drv.find_elements(By.CSS_SELECTOR, "#neighbors-out li")]
    assert shown == [w for w, _ in glove50.most_similar("frog", topn=10)]

    # an unknown word: the page shows the API's error
    _type(drv, "word", "zzqxv")
    drv.find_element(By.ID, "neighbors-go").click()
    wait.until(EC.visibility_of_element_located((By.ID, "neighbors-error")))
    assert "zzqxv" in drv.find_element(By.ID, "neighbors-error").text

    # search the loaded collection
    _type(drv, "query", "deep neural networks, learning")
    drv.find_element(By.ID, "search-go").click()
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#search-out tbody tr")) == 5)
    first = drv.find_element(By.CSS_SELECTOR, "#search-out tbody tr td:nth-child(2)").text
    ref = rank_collection([["deep neural networks", "learning"]], coll.ids, coll.keyword_lists,
                          glove50, k=5)
    assert first == next(iter(ref.rows()))[2] == "d3"

    # the 2-D map
    drv.find_element(By.ID, "map-go").click()
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#map-svg circle")) == 10)
    labels = [t.text for t in drv.find_elements(By.CSS_SELECTOR, "#map-svg text")]
    assert "queen" in labels and "paris" in labels

    # nothing failed in the page (a blocked outside resource or a script error is SEVERE)
    severe = [e for e in drv.get_log("browser") if e["level"] == "SEVERE"
              and "/neighbors" not in e["message"]]  # the 404 of the unknown word above
    assert severe == []

    shot = tmp_path / "serve-page.png"
    _type(drv, "word", "frog")
    drv.find_element(By.ID, "neighbors-go").click()
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#neighbors-out li")) == 10)
    assert drv.save_screenshot(str(shot))
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    if os.environ.get("SIMVEC_UPDATE_DOCS") == "1":
        dest = ROOT / "docs" / "img" / "serve-page.png"
        tmp = dest.with_suffix(".png.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, dest)
