"""The slip as bytes and as paper: content, languages, 58/80 mm wrapping, profile adaptation."""
import re
from pathlib import Path

import pytest

from kiosk.errors import ConfigError
from kiosk.i18n import _catalog
from printer import slip
from printer.blocks import QR, Cut, Text, fold, rewrap, wrap
from printer.profiles import profile_columns
from printer.slip import render_escpos, render_png, slip_blocks, slip_length_mm

GS_QR = b"\x1d(k"
CUT = (b"\x1dVA\x00", b"\x1dVB\x00")


def text_of(blocks):
    return "\n".join(b.text for b in blocks if isinstance(b, Text))


def test_slip_has_heading_and_number_in_very_large_type(ticket, info):
    for width, factor in ((80, 6), (58, 5)):
        data = render_escpos(slip_blocks(ticket, info, width), "TM-T20II", width)
        size = bytes([(factor - 1) << 4 | (factor - 1)])  # GS ! n: width and height x factor
        at = data.index(b"\x1d!" + size)
        assert b"A001\n" in data[at:at + 20]  # then bold/invert/align, then the number
        assert b"Nomor Antrian Anda" in data
        assert data.startswith(b"\x1b@")  # ESC @ initialise


def test_slip_lists_what_the_resident_needs(ticket, info):
    text = text_of(slip_blocks(ticket, info, 80))
    for needed in ("DINAS KEPENDUDUKAN", "KABUPATEN BARITO TIMUR", "Perekaman KTP-el",
                   "Loket 1", "29 November 2026, 08:15 WIB", "Orang di depan Anda: 3",
                   "Perkiraan waktu tunggu: 45 menit", "Fotokopi Kartu Keluarga", "Memakai masker",
                   "Mencuci tangan pakai sabun", "Menjaga jarak", "LAYANAN GRATIS",
                   "Mohon menunggu sampai nomor Anda dipanggil"):
        assert needed in text, needed


def test_unknown_wait_is_said_so(ticket, make_info):
    text = " ".join(text_of(slip_blocks(ticket, make_info(wait_min=None, people_ahead=0),
                                        58)).split())
    assert "Orang di depan Anda: 0 Perkiraan waktu tunggu belum tersedia" in text


def test_without_figures_the_slip_gives_the_position_not_people_ahead(ticket, make_info):
    info = make_info(wait_min=None, people_ahead=None, position=7)
    text = " ".join(text_of(slip_blocks(ticket, info, 80)).split())
    assert "Urutan Anda: ke-7 di antrian A dari kiosk ini hari ini" in text
    assert "Orang di depan" not in text and "menit" not in text
    assert "Perkiraan waktu tunggu belum tersedia" in text


def test_a_long_wait_is_in_hours_and_minutes(make_ticket, make_info):
    data = render_escpos(slip_blocks(make_ticket(language="en"), make_info(wait_min=80), 80),
                         "TM-T20II", 80)
    assert b"Estimated wait: 1 h 20 min" in data


def test_english_slip_comes_from_the_catalog(make_ticket, info):
    data = render_escpos(slip_blocks(make_ticket(language="en"), info, 80), "TM-T20II", 80)
    for phrase in (b"Your Queue Number", b"FREE SERVICE", b"People ahead of you: 3",
                   b"Sunday, 29 November 2026", b"Wear a mask"):
        assert phrase in data
    assert b"Nomor Antrian" not in data


def test_every_slip_string_has_an_english_translation():
    source = Path(slip.__file__).read_text(encoding="utf-8")
    wanted = {m[1] for m in re.findall(r"""\b_\((['"])(.+?)\1""", source)}
    wanted |= set(slip._DAYS) | set(slip._MONTHS) | set(slip._RULES_3M)
    _catalog.cache_clear()
    have = _catalog("en", "slip")
    assert len(wanted) > 20
    assert sorted(wanted - set(have)) == []
    for msgid, msgstr in have.items():
        assert set(re.findall(r"\{\w+\}", msgid)) == set(re.findall(r"\{\w+\}", msgstr))
        assert msgstr.isascii(), msgstr


def test_test_slip_carries_a_big_test_mark(ticket, make_info):
    blocks = slip_blocks(ticket, make_info(test=True), 58)
    marks = [b for b in blocks if isinstance(b, Text) and b.text == "TEST / UJI COBA"]
    assert len(marks) == 2 and all(m.width == 2 and m.height == 2 for m in marks)
    assert "TEST" not in text_of(slip_blocks(ticket, make_info(), 58))


@pytest.mark.parametrize("width,cols", [(58, 32), (80, 48)])
def test_lines_fit_the_paper_and_no_text_is_lost(ticket, make_info, width, cols):
    long_word = "Surat_Keterangan_Pindah_Warga_Negara_Indonesia_dari_Kabupaten_Lain"
    req = ("Fotokopi Kartu Keluarga (KK) yang sudah dilegalisir oleh Disdukcapil asal",
           long_word)
    blocks = slip_blocks(ticket, make_info(requirements=req, address="Jl. " + "x" * 70), width)
    for block in blocks:
        if isinstance(block, Text):
            assert len(block.text) * block.width <= cols, block
    text = text_of(blocks)
    flat = "".join(text.split()).replace("-", "")
    assert long_word.replace("-", "") in flat
    assert "".join(req[0].split()) in flat
    assert "x" * 70 in flat


def test_58mm_wraps_more_than_80mm(ticket, make_info):
    info = make_info(requirements=("Datang sendiri untuk perekaman sidik jari, iris mata, "
                                   "dan foto",))
    narrow, wide = (len([b for b in slip_blocks(ticket, info, w) if isinstance(b, Text)])
                    for w in (58, 80))
    assert narrow > wide


def test_wrap_splits_long_words_and_keeps_everything():
    assert wrap("abcdefghij", 4) == ["abcd", "efgh", "ij"]
    assert wrap("- item", 10, indent="- ", hanging="  ")[0].startswith("- ")
    assert wrap("", 10) == [""]


def test_profile_with_fewer_columns_is_rewrapped():
    assert profile_columns("TM-T88V", 80) == 42
    assert profile_columns("TM-T20II", 80) == 48 and profile_columns("default", 80) == 48
    out = rewrap([Text("x" * 48), Text("y" * 10, width=6)], 42)
    assert [len(b.text) for b in out] == [42, 6, 7, 3]


def test_no_qr_and_no_cut_for_a_profile_without_them(ticket, info):
    blocks = slip_blocks(ticket, info, 58)
    assert any(isinstance(b, QR) for b in blocks) and isinstance(blocks[-1], Cut)
    plain = render_escpos(blocks, "POS-5890", 58)
    assert GS_QR not in plain and b"\x1dv0" not in plain and b"\x1d(L" not in plain
    assert not any(c in plain for c in CUT) and plain.endswith(b"\x1bd\x04")
    full = render_escpos(blocks, "TM-T20II", 58)
    assert GS_QR in full and ticket.id.encode() in full and full.endswith(CUT[0])


def test_unprintable_characters_become_question_marks(ticket, make_info):
    info = make_info(service_name="Layanan \U0001F600 \u6d4b\u8bd5 \u2018caf\u00e9\u2019 \u0101")
    data = render_escpos(slip_blocks(ticket, info, 80), "TM-T20II", 80)
    # PC858 (ESC t 19): e-acute is 0x82; a-macron only in PC775 (ESC t 33): switch, 0x83
    assert data.startswith(b"\x1b@\x1bt\x13")
    assert b"Layanan ? ?? 'caf\x82' \x1bt!\x83" in data
    assert "\u6d4b".encode("gb18030") not in data


def test_text_cannot_smuggle_printer_commands(ticket, make_info):
    data = render_escpos(slip_blocks(ticket, make_info(office_name="Dinas\x1b@\x1dV\x00"), 80),
                         "TM-T20II", 80)
    assert data.count(b"\x1b@") == 1 and b"\x1dV\x00" not in data
    assert fold("a\tb\nc") == "a b c"


def test_unknown_profile_is_a_config_error(ticket, info):
    with pytest.raises(ConfigError) as err:
        render_escpos(slip_blocks(ticket, info, 80), "TM-XYZ", 80)
    assert err.value.key == "profile" and "TM-T20II" in str(err.value)


def test_png_preview_is_paper_sized_and_matches_the_length(ticket, info):
    for width, px in ((58, 464), (80, 640)):
        blocks = slip_blocks(ticket, info, width)
        img = render_png(blocks, width)
        length = slip_length_mm(blocks, width)
        assert img.size[0] == px and img.mode == "L"
        assert abs(img.size[1] / 8 - length) < 5  # 8 dots per mm, plus the top margin
        assert 100 < length < 300
    blocks = slip_blocks(ticket, info, 58)
    assert slip_length_mm(blocks, 58, profile="POS-5890") < slip_length_mm(blocks, 58)


def test_requirements_and_documents_are_listed_apart(ticket, make_info):
    info = make_info(requirements=("Berusia 17 tahun ke atas",),
                     documents=("Fotokopi Kartu Keluarga (KK)",))
    text = text_of(slip_blocks(ticket, info, 80))
    assert text.index("Syarat:") < text.index("Berusia 17") < text.index(
        "Dokumen yang perlu dibawa:") < text.index("Fotokopi Kartu Keluarga")
    assert "Orang di depan Anda: 3" in text


@pytest.mark.parametrize("length", [1, 40, 61, 62, 120, 300])
def test_qr_size_for_the_paper_count_is_the_size_of_the_code_printed(length):
    import qrcode
    from printer.blocks import qr_modules
    data = "DKQ1|" + "x" * length
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(data)
    code.make(fit=True)  # the whole code, as the preview draws it
    assert qr_modules(data) == code.modules_count == len(code.get_matrix())
