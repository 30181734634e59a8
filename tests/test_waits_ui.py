"""On screen, before the number is taken: a turn expected after closing time is told in both
languages, with the choice to go back or take the number anyway (real app, offscreen)."""
from screens import driver
from kiosk.sync_client import UploadReply
from kiosk.waits import parse_handling, parse_queues

FRIDAY_10 = "2026-12-04T10:00:00+07:00"  # the office closes at 11:00 on Fridays


def figures(rt, waiting):
    """What a sync reply at 10:00 would leave: ``waiting`` in queue A, 2 counters, ktp-baru
    handled in 10 minutes."""
    rt.waits.record(UploadReply(accepted_ids=(), server_time=FRIDAY_10, now_serving={},
                                queues=parse_queues({"A": {"waiting": waiting, "counters": 2}}),
                                handling=parse_handling({"ktp-baru": {"median_s": 600,
                                                                      "count": 5}})))


def open_rules(app, lang):
    driver.tap(app.sm.get_screen("welcome").ids["lang_" + lang])
    driver.tap(list(reversed(app.sm.get_screen("services").ids.grid.children))[0])  # ktp-baru
    assert app.sm.current == "rules"
    return app.sm.get_screen("rules")


def confirm_all(rules):
    for card in rules.cards():
        driver.tap(card)


def test_a_turn_after_closing_is_told_before_the_number_and_can_be_taken_anyway(
        make_app, clock, tmp_path):
    clock.set_local("2026-12-04T10:00:00")
    app = make_app()
    figures(app.runtime, 10)  # 10 x 10 min / 2 counters = 50 min: 10:50, before closing
    rules = open_rules(app, "id")
    confirm_all(rules)
    assert rules.closes == "" and rules.ids.late.height == 0
    assert rules.ids.take.text == "Ambil nomor antrian"
    driver.tap(rules.ids.back)
    assert app.sm.current == "services"
    driver.tap(app.sm.get_screen("services").ids.back)
    assert app.sm.current == "welcome"

    figures(app.runtime, 14)  # 70 min: 11:10, after closing
    rules = open_rules(app, "id")
    driver.settle(rules)
    assert rules.ids.late.text.startswith(
        "Perkiraan giliran Anda setelah jam tutup layanan ini (11:00).")
    assert rules.ids.late.height > app.font_body and rules.ids.late.opacity == 1
    confirm_all(rules)
    assert rules.ids.take.text == "Tetap ambil nomor"
    driver.tap(rules.ids.back)  # the resident goes back: no number taken
    assert app.sm.current == "services" and app.runtime.store.tickets() == []
    driver.tap(app.sm.get_screen("services").ids.back)

    rules = open_rules(app, "en")
    driver.settle(rules)
    assert rules.ids.late.text.startswith(
        "Your turn is expected after this service closes (11:00).")
    confirm_all(rules)
    assert rules.ids.take.text == "Take a number anyway"
    shot = driver.screenshot(tmp_path / "rules_after_closing.png")  # drawn, then saved
    assert (tmp_path / shot).stat().st_size > 0
    driver.tap(rules.ids.take)  # taken anyway
    driver.pump_until(lambda: app.sm.current == "ticket", timeout=10)
    ticket = app.sm.get_screen("ticket")
    assert ticket.number == "A001"
    assert ticket.ahead_text == "People ahead of you: 14\nEstimated wait: 1 h 10 min"
