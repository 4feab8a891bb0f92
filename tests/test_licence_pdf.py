"""The licence PDF renderer (licensing.licences.pdf): no database, only Django settings."""

from __future__ import annotations

import base64
import datetime
import io
import re
from decimal import Decimal

import pytest
import segno
from PIL import Image
from pypdf import PdfReader

from licensing.licences import pdf as licence_pdf
from licensing.licences.pdf import (
    FONTS_DIR,
    build_context,
    harfbuzz_subset_available,
    make_qr,
    qr_png_data_uri,
    render_licence_pdf,
)

TITLE_ZH = "两用物项和技术出口许可证"
TITLE_EN = "Export License for Dual-use Items and Technologies of the People's Republic of China"
VERIFY_URL = "https://portal.example/verify/2026MC0000017?mac=3f9a1c0b7d2e4f6a8b9c0d1e2f3a4b5c"


def licence_data(**overrides) -> dict:
    data = {
        "number": "2026MC0000017",
        "case_reference": "DU2026-000001",
        "issued_on": datetime.date(2026, 3, 2),
        "valid_from": datetime.date(2026, 3, 2),
        "valid_until": datetime.date(2027, 3, 1),
        "licence_type": {"zh": "单项许可", "en": "Individual licence"},
        "exporter": {
            "name_zh": "福建省闽江新材料科技有限公司",
            "name_en": "Fujian Minjiang New Materials Technology Co., Ltd.",
            "uscc": "91350100M000100Y43",
            "address": "福建省福州市鼓楼区五四路88号",
        },
        "importer": {
            "name": "Müller & Söhne Chemie GmbH",
            "address": "Industriestraße 12, 67059 Ludwigshafen",
            "country_zh": "德国",
            "country_en": "Germany",
        },
        "end_user": {
            "name": "Müller & Söhne Chemie GmbH <R&D>",
            "address": "Industriestraße 12, 67059 Ludwigshafen",
            "country_zh": "德国",
            "country_en": "Germany",
        },
        "destination": {"code": "DE", "zh": "德国", "en": "Germany"},
        "end_use": "用于锂电池正极材料研究。Research on cathode materials.",
        "items": [
            {
                "control_code": "1C902.a",
                "description": "高纯石墨 High-purity graphite",
                "quantity": Decimal("1500.000"),
                "unit": "kg",
                "value_rmb": Decimal("325000.5"),
            },
            {
                "control_code": "1C903.b",
                "description": "球形石墨 Spherical graphite",
                "quantity": "0.250",
                "unit": "t",
                "value_rmb": "12000",
            },
        ],
        "issuer": {
            "zh": "中华人民共和国商务部",
            "en": "Ministry of Commerce of the People's Republic of China",
        },
        "verify_url": VERIFY_URL,
    }
    data.update(overrides)
    return data


def pdf_text(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def embedded_fonts(reader: PdfReader) -> dict[str, dict]:
    """BaseFont name -> {'file': /FontFileN key, 'to_unicode': decoded ToUnicode CMap}."""
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            described = descendants[0].get_object() if descendants else font
            descriptor = described["/FontDescriptor"].get_object()
            files = [key for key in ("/FontFile", "/FontFile2", "/FontFile3") if key in descriptor]
            to_unicode = font.get("/ToUnicode")
            fonts[str(font["/BaseFont"])] = {
                "file": files[0] if files else None,
                "size": len(descriptor[files[0]].get_object().get_data()) if files else 0,
                "to_unicode": to_unicode.get_object().get_data().decode("latin-1")
                if to_unicode else "",
            }
    return fonts


def qr_modules(image: Image.Image, qr: segno.QRCode, border: int) -> list[tuple[bool, ...]]:
    """Sample the centre of every module of a QR image (quiet zone ``border``) as dark/light."""
    size = qr.symbol_size(border=0)[0]
    grey = image.convert("L")
    scale = grey.width / (size + 2 * border)
    assert grey.width == grey.height
    assert scale >= 1 and abs(scale - round(scale)) < 1e-6, (grey.size, size)
    return [
        tuple(
            grey.getpixel((int((border + col + 0.5) * scale), int((border + row + 0.5) * scale)))
            < 128
            for col in range(size)
        )
        for row in range(size)
    ]


def matrix(qr: segno.QRCode) -> list[tuple[bool, ...]]:
    return [tuple(bool(module) for module in row) for row in qr.matrix]


@pytest.fixture(scope="module")
def sample_pdf() -> bytes:
    return render_licence_pdf(licence_data())


@pytest.fixture(scope="module")
def sample_reader(sample_pdf) -> PdfReader:
    return PdfReader(io.BytesIO(sample_pdf))


def test_renders_a4_pdf(sample_pdf, sample_reader):
    assert sample_pdf.startswith(b"%PDF-")
    assert len(sample_reader.pages) == 1
    box = sample_reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    assert sample_reader.metadata.title == f"{TITLE_ZH} 2026MC0000017"


def test_text_has_title_number_and_parties(sample_reader):
    text = pdf_text(sample_reader)
    flat = squash(text)
    assert TITLE_ZH in text
    assert TITLE_EN in flat
    assert "2026MC0000017" in text
    assert "DU2026-000001" in text
    assert "福建省闽江新材料科技有限公司" in text
    assert "Fujian Minjiang New Materials Technology Co., Ltd." in flat
    assert "91350100M000100Y43" in text
    assert "Müller & Söhne Chemie GmbH" in text
    # Data is escaped by the template engine, not parsed as HTML.
    assert "Müller & Söhne Chemie GmbH <R&D>" in text


def test_labels_are_bilingual(sample_reader):
    flat = squash(pdf_text(sample_reader))
    for zh, en in [
        ("许可证编号", "License No."),
        ("出口经营者", "Exporter"),
        ("进口商", "Importer"),
        ("最终用户", "End user"),
        ("目的国（地区）", "Country/Region of destination"),
        ("最终用途", "End use"),
        ("有效期", "Period of validity"),
        ("发证机关", "Issuing authority"),
        ("管制编码", "Control code"),
    ]:
        assert zh in flat and en in flat, (zh, en)


def test_items_validity_and_totals(sample_reader):
    flat = squash(pdf_text(sample_reader))
    assert "1C902.a" in flat and "1C903.b" in flat
    assert "1,500" in flat and "0.25" in flat
    assert "325,000.50" in flat and "12,000.00" in flat
    assert "337,000.50" in flat  # total
    assert "自 From 2026-03-02 至 To 2027-03-01" in flat
    assert "德国 Germany (DE)" in flat


def test_page_numbers_in_margin(sample_reader):
    assert "Page 1 of 1" in pdf_text(sample_reader)


def test_embeds_cjk_subset_font_and_margin_boxes_use_it(sample_reader):
    fonts = embedded_fonts(sample_reader)
    portal = {name: info for name, info in fonts.items() if "Portal-Sans-SC" in name}
    assert portal, fonts.keys()
    assert all(info["file"] for info in fonts.values()), "every font is embedded"
    # A CJK glyph (两 U+4E24) is mapped in the licence font's ToUnicode CMap.
    assert any("4e24" in info["to_unicode"].lower() for info in portal.values())
    # Regular and Bold of the shipped subset and nothing else: the page margin boxes
    # (running header, page numbers) do not pull in a third face.
    assert len(fonts) == 2, sorted(fonts)
    assert {name.split("+", 1)[1] for name in fonts} == {"Portal-Sans-SC", "Portal-Sans-SC-Bold"}


def test_rare_character_falls_back_to_chinese_noto():
    exporter = licence_data()["exporter"] | {"name_zh": "福州堃晟新材料有限公司"}
    reader = PdfReader(io.BytesIO(render_licence_pdf(licence_data(exporter=exporter))))
    assert "福州堃晟新材料有限公司" in pdf_text(reader)
    fonts = embedded_fonts(reader)
    fallback = [name for name in fonts if "Noto-Sans-CJK-SC" in name]
    assert fallback, f"堃 (not in GB2312) should come from Noto Sans CJK SC, got {sorted(fonts)}"
    assert all(fonts[name]["file"] for name in fallback)


def test_multi_page_repeats_header_and_numbers_pages():
    items = [
        {
            "control_code": f"1C9{n:02d}.a",
            "description": f"第{n}项 测试物项 Test item number {n}",
            "quantity": Decimal(n),
            "unit": "kg",
            "value_rmb": Decimal("1000.00"),
        }
        for n in range(1, 61)
    ]
    reader = PdfReader(io.BytesIO(render_licence_pdf(licence_data(items=items))))
    pages = len(reader.pages)
    assert pages >= 2
    second = reader.pages[1].extract_text()
    assert f"Page 2 of {pages}" in second
    assert f"第 2 页，共 {pages} 页" in second
    assert "License No. 2026MC0000017" in second  # running header from string-set
    assert "管制编码" in second  # the items table header repeats
    assert "60,000.00" in squash(pdf_text(reader))  # total of 60 x 1,000.00


def test_qr_data_uri_is_segno_qr_with_fixed_mask():
    uri = qr_png_data_uri(VERIFY_URL)
    prefix = "data:image/png;base64,"
    assert uri.startswith(prefix)
    image = Image.open(io.BytesIO(base64.b64decode(uri[len(prefix):])))
    fresh = segno.make_qr(VERIFY_URL, error="m", mask=0, boost_error=False)
    ours = make_qr(VERIFY_URL)
    assert ours.mask == 0
    assert ours.error == "M"
    assert matrix(ours) == matrix(fresh)
    assert qr_modules(image, fresh, border=licence_pdf.QR_BORDER) == matrix(fresh)
    # Another text gives another code.
    assert matrix(make_qr(VERIFY_URL + "x")) != matrix(fresh)


def test_pdf_embeds_the_qr_of_verify_url(sample_reader):
    images = [image.image for page in sample_reader.pages for image in page.images]
    assert len(images) == 1
    fresh = segno.make_qr(VERIFY_URL, error="m", mask=0, boost_error=False)
    assert qr_modules(images[0], fresh, border=licence_pdf.QR_BORDER) == matrix(fresh)
    assert VERIFY_URL in squash(pdf_text(sample_reader)).replace(" ", "")


def test_pdf_qr_decodes_to_verify_url(sample_reader):
    zxingcpp = pytest.importorskip("zxingcpp", reason="real QR decoding needs zxing-cpp")
    image = sample_reader.pages[0].images[0].image
    decoded = [barcode.text for barcode in zxingcpp.read_barcodes(image)]
    assert decoded == [VERIFY_URL]


def test_build_context_formats_numbers_and_dates():
    context = build_context(licence_data(items=[
        {"control_code": "3A901", "description": "x", "quantity": "1E+3", "unit": "台",
         "value_rmb": "0.005"},
        {"control_code": "3A902", "description": "y", "quantity": 2.5, "unit": "台",
         "value_rmb": "1,234,567.891"},
    ], issued_on=datetime.datetime(2026, 3, 2, 9, 30)))
    first, second = context["items"]
    assert (first["index"], first["quantity"], first["value_rmb"]) == (1, "1,000", "0.01")
    assert (second["index"], second["quantity"], second["value_rmb"]) == (2, "2.5", "1,234,567.89")
    assert context["total_value_rmb"] == "1,234,567.90"
    assert context["issued_on"] == "2026-03-02"
    assert context["qr_data_uri"] == qr_png_data_uri(VERIFY_URL)


def test_one_font_configuration_per_process(sample_pdf, monkeypatch):
    with licence_pdf._lock:
        first = licence_pdf._get_font_config()
        assert licence_pdf._get_font_config() is first
    render_licence_pdf(licence_data())
    with licence_pdf._lock:
        assert licence_pdf._get_font_config() is first
        folder = first._folder
        # In a forked child (another pid) a new one is made and the parent's folder is kept.
        monkeypatch.setattr(licence_pdf.os, "getpid", lambda: -1)
        child = licence_pdf._get_font_config()
        assert child is not first
        assert first._folder is None
        if folder is not None:
            assert folder.exists()
    monkeypatch.undo()
    assert render_licence_pdf(licence_data()).startswith(b"%PDF-")


def test_url_fetcher_only_reads_fonts_and_data():
    fetcher = licence_pdf._url_fetcher()
    assert fetcher is not None  # pyproject asks for a WeasyPrint that has URLFetcher
    font = (FONTS_DIR / "PortalSansSC-Regular.otf").as_uri()
    assert fetcher.fetch(font).read(4) == b"OTTO"
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"
    for url in ("http://127.0.0.1/", "file:///etc/passwd", "ftp://127.0.0.1/x"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_shipped_fonts_are_renamed_subsets_with_licence():
    from fontTools.ttLib import TTFont

    assert (FONTS_DIR / "OFL.txt").read_text(encoding="utf-8").count("SIL OPEN FONT LICENSE") >= 1
    for style in ("Regular", "Bold"):
        path = FONTS_DIR / f"PortalSansSC-{style}.otf"
        assert path.stat().st_size < 2_500_000
        font = TTFont(path, lazy=True)
        assert font["name"].getDebugName(1) == "Portal Sans SC"
        cmap = font.getBestCmap()
        assert all(ord(ch) in cmap for ch in TITLE_ZH + "许可证编号出口经营者")
        assert 0x5803 not in cmap  # 堃 is outside GB2312: left to the system font


def test_harfbuzz_subset_is_installed():
    # Without Debian's libharfbuzz-subset0 WeasyPrint subsets fonts with fontTools, 20-50x slower.
    assert harfbuzz_subset_available() is True


def test_portal_warns_at_start_up_when_harfbuzz_subset_is_missing(monkeypatch, caplog):
    import logging

    from portal import checks

    monkeypatch.setattr(checks, "harfbuzz_subset_available", lambda: False)
    warnings = checks.check_harfbuzz_subset(None)
    assert [w.id for w in warnings] == ["portal.W001"] and "libharfbuzz-subset0" in warnings[0].msg
    with caplog.at_level(logging.WARNING):
        checks.warn_if_slow_pdf(logging.getLogger("portal.web"))
    assert "20-50x slower" in caplog.text
    monkeypatch.setattr(checks, "harfbuzz_subset_available", lambda: True)
    assert checks.check_harfbuzz_subset(None) == []
