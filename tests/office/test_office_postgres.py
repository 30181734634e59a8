"""The same API behaviours on PostgreSQL (upsert with ON CONFLICT, ETag, now serving).

Runs when ``KIOSK_OFFICE_TEST_PG`` holds a URL of a throwaway database, e.g.
``postgresql+psycopg://office@127.0.0.1:54329/office`` (its tables are dropped
before each test); skipped otherwise.
"""
import os

import pytest
from test_office_api import (  # noqa: F401  (collected again, on PostgreSQL)
    test_concurrent_retries_of_one_batch_store_each_ticket_once,
    test_kiosk_cannot_upload_tickets_claiming_another_kiosk,
    test_menu_is_404_until_published_then_served_with_etag,
    test_now_serving_set_by_staff_comes_back_in_upload_replies,
    test_republishing_the_same_menu_keeps_its_version,
    test_same_batch_twice_stores_each_ticket_once,
    test_ticket_id_held_by_another_kiosk_is_refused)

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

