"""Fixtures for the printer tests: the 127.0.0.1 printer peer, short-timeout configs, tickets."""
from __future__ import annotations

from dataclasses import replace

import pytest
from printerpeer import PrinterPeer

from kiosk.config import load_config
from kiosk.models import Ticket
from printer.slip import SlipInfo


@pytest.fixture
def peer():
    server = PrinterPeer()
    yield server
    server.close()


@pytest.fixture
def base_cfg():
    """Default PrinterConfig with short test timeouts."""
    return replace(load_config(None).printer, timeout_s=0.5, job_deadline_s=1.5)


@pytest.fixture
def net_cfg(base_cfg, peer):
    return replace(base_cfg, type="network", host="127.0.0.1", port=peer.port)


def _ticket(number="A001", language="id", **kw):
    fields = dict(id="3f2b8c1e9a7d4e6fb0c1d2e3f4a5b6c7", kiosk_id="K1", office_day="2026-11-29",
                  service_code="ktp-baru", queue="A", sequence=1, number=number,
                  issued_at="2026-11-29T08:15:00+07:00", language=language)
    fields.update(kw)
    return Ticket(**fields)


def _info(**kw):
    fields = dict(office_name="Dinas Kependudukan dan Pencatatan Sipil",
                  regency="Kabupaten Barito Timur", address="Tamiang Layang", tz_label="WIB",
                  service_name="Perekaman KTP-el (pertama kali)", counter="Loket 1",
                  requirements=("Fotokopi Kartu Keluarga (KK)",), people_ahead=3, wait_min=45)
    fields.update(kw)
    return SlipInfo(**fields)


@pytest.fixture
def make_ticket():
    """Ticket(**overrides) factory."""
    return _ticket


@pytest.fixture
def make_info():
    """SlipInfo(**overrides) factory."""
    return _info


@pytest.fixture
def ticket():
    return _ticket()


@pytest.fixture
def info():
    return _info()
