"""The loket and display pages in a real browser (Debian chromium + chromium-driver, selenium,
headless): two counters calling at once, a call appearing (and sounding) on an open display,
and a display reconnecting by itself after the server restarts.

Two browsers are started once for the module: "budi" at Loket 1, "sari" at Loket 2.
"""
import shutil
import threading

import pytest
from conftest import ticket
from counterkit import DAY, counter_app, issued, reopen_app
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from office.devserver import ServerThread, headless_chromium
from office.loket_web import act

pytestmark = pytest.mark.skipif(
    not (shutil.which("chromium") and shutil.which("chromedriver")),
    reason="needs Debian's chromium and chromium-driver (installed by .ci/run)")
#: Hang guard for anything the page should do "at once".
GUARD_S = 20


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    folder = tmp_path_factory.mktemp("office")
    url = f"sqlite:///{folder / 'office.db'}"
    app = counter_app(url, folder / "voice")
    state = {"app": app, "server": ServerThread(app).start(), "url": url, "folder": folder,
             "apps": [app]}
    yield state
    state["server"].stop()  # the one running now (the restart test starts another)
    for each in state["apps"]:
        each.state.repo.engine.dispose()


@pytest.fixture(scope="module")
def browsers(office, tmp_path_factory):
    drivers = []
    try:
        for name in ("budi", "sari"):
            driver = headless_chromium(str(tmp_path_factory.mktemp(f"chromium-{name}")))
            drivers.append(driver)
            log_in(driver, office["server"].url, name)
        yield drivers
    finally:
        for driver in drivers:
            driver.quit()


def log_in(driver, base, name):
    from counterkit import STAFF
    driver.get(base + "/loket")
    driver.find_element(By.NAME, "name").send_keys(name)
    driver.find_element(By.NAME, "password").send_keys(STAFF[name] + "\n")
    WebDriverWait(driver, GUARD_S).until(lambda d: "Pilih loket" in d.title)


def shown_number(driver):
    return driver.find_element(By.ID, "current-number").text


def press(driver, key):
    """Press ``key`` on the page and wait for the next page to load."""
    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.TAG_NAME, "body").send_keys(key)
    WebDriverWait(driver, GUARD_S).until(
        lambda d: d.find_element(By.TAG_NAME, "html") != old
        and d.execute_script("return document.readyState") == "complete")


def test_two_counters_calling_at_once_never_get_the_same_ticket(office, browsers):
    app, base = office["app"], office["server"].url
    app.state.repo.upsert_checkins("K1", [ticket(seq=n, issued_at=issued(n))
                                          for n in range(1, 11)])
    one, two = (c.id for c in app.state.offices.scope().counters.counters()[:2])
    budi, sari = browsers
    budi.get(f"{base}/loket/{one}")
    sari.get(f"{base}/loket/{two}")
    seen = {id(budi): [], id(sari): []}
    start = threading.Barrier(2)

    def calls(driver, use_key):
        for _ in range(4):
            start.wait(GUARD_S)
            if use_key:
                press(driver, "b")
            else:  # one click
                old = driver.find_element(By.TAG_NAME, "html")
                driver.find_element(By.CSS_SELECTOR, 'button[value="next"]').click()
                WebDriverWait(driver, GUARD_S).until(
                    lambda d: d.find_element(By.TAG_NAME, "html") != old)
            seen[id(driver)].append(shown_number(driver))
    threads = [threading.Thread(target=calls, args=(budi, True)),
               threading.Thread(target=calls, args=(sari, False))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(GUARD_S * 4)
    numbers = seen[id(budi)] + seen[id(sari)]
    assert len(numbers) == 8 and len(set(numbers)) == 8, seen
    counters = app.state.offices.scope().counters
    called = [a.number for a in counters.actions(DAY) if a.action == "call"]
    assert sorted(called) == sorted(numbers)
    assert "Loket 1" in budi.title and "A0" in budi.find_element(By.ID, "lists").text


def test_a_call_appears_and_sounds_on_an_open_display(office, browsers):
    app, base = office["app"], office["server"].url
    budi, sari = browsers
    sari.get(base + "/display")
    WebDriverWait(sari, GUARD_S).until(
        lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-online") == "1")
    scope = app.state.offices.scope()
    loket_1 = scope.counters.counters()[0]
    app.state.repo.upsert_checkins("K1", [ticket(seq=60, issued_at=issued(60))])
    act(scope, loket_1, "budi", {"action": "number", "number": "A060"})  # being served
    budi.get(f"{base}/loket/{loket_1.id}")
    press(budi, "u")  # call the ticket being served again
    number = shown_number(budi)
    WebDriverWait(sari, GUARD_S).until(
        lambda d: d.find_element(By.CSS_SELECTOR, '[data-counter="Loket 1"] .number').text
        == number)
    said = sari.find_element(By.ID, "said").text
    assert said.startswith("Nomor antrian") and said.endswith("silakan ke loket satu")
    assert number in sari.find_element(By.ID, "recent").text
    WebDriverWait(sari, GUARD_S).until(  # chime + speech played, no click needed
        lambda d: int(d.find_element(By.TAG_NAME, "body").get_attribute("data-played") or 0))
    assert not sari.find_element(By.ID, "offline").is_displayed()


def test_display_keeps_its_state_and_reconnects_after_a_server_restart(office, browsers):
    server, sari = office["server"], browsers[1]
    sari.get(server.url + "/display")
    body = sari.find_element(By.TAG_NAME, "body")
    WebDriverWait(sari, GUARD_S).until(lambda d: body.get_attribute("data-online") == "1")
    before = sari.find_element(By.CSS_SELECTOR, '[data-counter="Loket 1"] .number').text
    server.stop()
    WebDriverWait(sari, GUARD_S).until(lambda d: body.get_attribute("data-online") == "0")
    assert sari.find_element(By.ID, "offline").is_displayed()
    assert sari.find_element(By.CSS_SELECTOR, '[data-counter="Loket 1"] .number').text == before
    app = reopen_app(office["url"], office["folder"] / "voice")
    office["apps"].append(app)
    office["server"] = ServerThread(app, port=server.port).start()
    WebDriverWait(sari, GUARD_S).until(lambda d: body.get_attribute("data-online") == "1")
    app.state.repo.upsert_checkins("K1", [ticket(seq=77, issued_at=issued(90))])
    office = app.state.offices.scope()
    act(office, office.counters.counters()[1], "sari", {"action": "number",
                                                         "number": "A077"})
    WebDriverWait(sari, GUARD_S).until(
        lambda d: d.find_element(By.CSS_SELECTOR, '[data-counter="Loket 2"] .number').text
        == "A077")
    assert not sari.find_element(By.ID, "offline").is_displayed()
