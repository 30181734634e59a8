"""The staff page on a busy day: paged, filtered per queue and kiosk, small."""
import re
from datetime import datetime, timedelta, timezone

from officepages import login_token

from office.app import OfficeClock

DAY = "2026-11-30"


class FixedClock(OfficeClock):
    """The office clock at 2026-11-30 15:00 WIB."""

    def now(self):
        return datetime(2026, 11, 30, 8, 0, tzinfo=timezone.utc).astimezone(self.tz)


def busy_day(repo, ticket, per_kiosk=5000):
    """10,000 check-ins of DAY from K1 and K2, queues A-D, uploaded in batches of 500."""
    start = datetime(2026, 11, 30, 0, 30, tzinfo=timezone.utc)
    for offset, kiosk in enumerate(("K1", "K2")):
        batch = []
        for i in range(per_kiosk):
            queue = "ABCD"[i % 4]
            batch.append(ticket(kiosk, seq=i // 4 + 1, queue=queue, day=DAY,
                                number=f"{queue}{kiosk[1]}-{i // 4 + 1:04d}",
                                issued_at=(start + timedelta(seconds=2 * i + offset))
                                .isoformat(timespec="seconds")))
            if len(batch) == 500:
                repo.upsert_checkins(kiosk, batch)
                batch = []


def open_staff_page(app, client, ticket, per_kiosk):
    app.state.clock = app.state.offices.use_clock(FixedClock("Asia/Pontianak"))
    busy_day(app.state.repo, ticket, per_kiosk)
    assert login_token(client, "staff-token").status_code == 303
    return client


def numbers(html):
    return re.findall(r"<tr class=\"[a-z]*\"><td>([A-D][12]-\d{4})", html)


def test_ten_thousand_checkins_of_a_day_give_a_page_under_100_kb(app, client, ticket):
    staff = open_staff_page(app, client, ticket, 5000)
    r = staff.get("/")
    assert r.status_code == 200 and len(r.content) < 100_000, len(r.content)
    assert "(today: 10000)" in r.text and "Halaman 1 dari 100" in r.text
    shown = numbers(r.text)
    assert len(shown) == 100 and shown[0] == "D2-1250"  # newest first
    second = numbers(staff.get("/?page=2").text)
    assert len(second) == 100 and not set(second) & set(shown)


def test_the_list_filters_by_queue_and_kiosk_and_pages_keep_the_filter(app, client, ticket):
    staff = open_staff_page(app, client, ticket, 500)
    page = staff.get("/?queue=B&kiosk=K1").text
    assert "Halaman 1 dari 2" in page and "(125 check-in)" in page
    assert {n[:2] for n in numbers(page)} == {"B1"}
    assert 'href="/?queue=B&amp;kiosk=K1&amp;page=2"' in page
    last = staff.get("/?queue=B&kiosk=K1&page=2").text
    assert len(numbers(last)) == 25 and "Berikutnya" not in last
    for query in ("?queue=AB", "?kiosk=<x>", "?page=-3", "?page=x", "?queue=%00"):
        r = staff.get("/" + query)  # the wrong shape: ignored, never an error
        assert r.status_code == 200 and "Halaman 1 dari 10" in r.text, query
