"""The check-in desk: one journey, one ticket; hours, quotas, rules."""
import threading

import pytest

from kiosk.checkin import CheckinDesk
from kiosk.errors import CheckinError
from kiosk.models import HEALTH_RULES


@pytest.fixture
def desk(store, menu, clock):
    jobs = []
    d = CheckinDesk(store, lambda: menu, after_commit=[lambda r, s, m: jobs.append(r)],
                    clock=clock)
    d.jobs = jobs
    return d


def ready(desk, code="ktp-baru", lang="id"):
    j = desk.begin(lang)
    desk.select_service(j, code)
    for rule in HEALTH_RULES:
        desk.confirm_rule(j, rule)
    return j


def test_no_ticket_until_every_rule_is_confirmed(desk):
    j = desk.begin("id")
    desk.select_service(j, "ktp-baru")
    desk.confirm_rule(j, "mask")
    desk.confirm_rule(j, "handwash")
    with pytest.raises(CheckinError) as err:
        desk.check_in(j)
    assert err.value.reason == "rules"
    assert desk.store.tickets() == []


def test_ticket_records_rules_language_and_runs_jobs_once(desk):
    r = desk.check_in(ready(desk, lang="en"))
    t = r.ticket
    assert (t.number, t.language, t.service_code) == ("A001", "en", "ktp-baru")
    assert [rule for rule, _ in t.rules_confirmed] == list(HEALTH_RULES)
    assert desk.jobs == [r]


def test_tap_storm_on_one_journey_gives_one_ticket(desk):
    j = ready(desk)
    results = []
    threads = [threading.Thread(target=lambda: results.append(desk.check_in(j)))
               for _ in range(20)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len({r.ticket.id for r in results}) == 1
    assert len(desk.store.tickets()) == 1 and len(desk.jobs) == 1


def test_offline_the_position_counts_the_queue_not_the_service(desk):
    desk.check_in(ready(desk, "ktp-baru"))
    desk.check_in(ready(desk, "kk-baru"))
    r = desk.check_in(ready(desk, "ktp-hilang"))
    assert r.ticket.number == "A002" and r.position == 2
    assert r.people_ahead is None and r.wait_min is None  # no figures: nothing invented


def test_service_is_closed_outside_hours_with_next_opening(desk, clock):
    clock.set_local("2026-12-04T11:30:00")  # Friday after 11:00
    j = desk.begin("id")
    with pytest.raises(CheckinError) as err:
        desk.select_service(j, "ktp-baru")
    assert err.value.reason == "closed"
    avail = desk.availability(j, j.menu.service("ktp-baru"))
    assert avail.next_opening.isoformat().startswith("2026-12-07T08:00")  # Monday


def test_closing_time_passing_mid_journey_still_gives_a_ticket(desk, clock):
    clock.set_local("2026-11-30T14:59:00")
    j = ready(desk)
    clock.set_local("2026-11-30T15:01:00")
    assert desk.check_in(j).ticket.number == "A001"


def test_a_journey_keeps_its_menu_when_the_menu_changes(store, menu, clock):
    current = {"menu": menu}
    desk = CheckinDesk(store, lambda: current["menu"], clock=clock)
    j = ready(desk)
    current["menu"] = None  # a new menu arrives mid-journey
    assert desk.check_in(j).ticket.menu_version == menu.version


def test_quota_race_gives_the_last_number_to_the_first_to_confirm(store, menu, clock):
    svc = menu.service("kk-baru").model_copy(update={"daily_quota": 1})
    limited = menu.model_copy(update={"services": [svc if s.code == "kk-baru" else s
                                                   for s in menu.services]})
    desk = CheckinDesk(store, lambda: limited, clock=clock)
    first, second = ready(desk, "kk-baru"), ready(desk, "kk-baru")  # both mid-journey
    assert desk.check_in(first).ticket.number == "B001"
    with pytest.raises(CheckinError) as err:
        desk.check_in(second)
    assert err.value.reason == "quota"
    assert len(store.tickets()) == 1


def test_failing_after_commit_job_keeps_the_ticket(store, menu, clock):
    def broken(*a):
        raise RuntimeError("printer exploded")
    desk = CheckinDesk(store, lambda: menu, after_commit=[broken], clock=clock)
    assert desk.check_in(ready(desk)).ticket.number == "A001"
    assert len(store.tickets()) == 1


def test_priority_lane_draws_from_its_own_queue_and_counter(desk):
    desk.check_in(ready(desk, "ktp-baru"))
    j = desk.begin("id")
    j.priority = True
    desk.select_service(j, "ktp-baru")
    for rule in HEALTH_RULES:
        desk.confirm_rule(j, rule)
    r = desk.check_in(j)
    assert r.ticket.number == "P001" and r.ticket.service_code == "ktp-baru"
    assert j.menu.counter_for(j.service, r.ticket.queue) == "Loket Prioritas"


def test_jobs_can_run_after_the_number_is_shown_and_only_once(desk):
    j = ready(desk)
    r = desk.check_in(j, run_jobs=False)
    assert desk.jobs == []
    desk.run_jobs(j)
    desk.run_jobs(j)
    desk.check_in(j)  # a late duplicate tap
    assert desk.jobs == [r]
