"""The counter flow on PostgreSQL: the same tests as on SQLite, including counters calling at
once (a row lock decides, no ticket is called twice) and call by number before the sync.

Runs when ``KIOSK_OFFICE_TEST_PG`` holds a URL of a throwaway database (its tables are
dropped before each test); skipped otherwise.
"""
import os

import pytest
from test_counter_flow import (  # noqa: F401  (collected again, on PostgreSQL)
    counters, repo,
    test_call_by_number_before_the_kiosk_syncs_is_matched_later,
    test_call_next_takes_priority_lane_first_then_order_taken,
    test_counters_calling_at_once_never_get_the_same_ticket,
    test_queue_facts_and_recent_handling_for_the_sync_reply,
    test_skip_then_recall_later_and_done,
    test_transfer_to_counter_waits_there_first_and_to_service_changes_queue)

PG_URL = os.environ.get("KIOSK_OFFICE_TEST_PG", "")
pytestmark = pytest.mark.skipif(not PG_URL, reason="set KIOSK_OFFICE_TEST_PG to a throwaway "
                                                    "PostgreSQL database URL")


@pytest.fixture
def db_url():
    from sqlalchemy import create_engine

    from office.db import Base
    engine = create_engine(PG_URL)
    Base.metadata.drop_all(engine)
    engine.dispose()
    return PG_URL
