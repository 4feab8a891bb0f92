#!/usr/bin/env python3
"""Make the GB2312-range subsets of Noto Sans CJK SC used by the licence PDF.

Reads Debian's fonts-noto-cjk collections (the SC face of NotoSansCJK-Regular.ttc
and NotoSansCJK-Bold.ttc), keeps

* every character the 'gb2312' codec can encode (6,763 hanzi plus the GB2312
  symbol rows: punctuation, Greek, Cyrillic, kana, pinyin, box drawing ...),
* ASCII and Latin-1, Latin Extended-A, general punctuation, letterlike symbols,
  number forms, CJK symbols and punctuation, fullwidth/halfwidth forms,
* every character of templates/licensing/licence_pdf.html,

and writes them as CFF OpenType (.otf) into licensing/licences/fonts/ under a new family
name ("Portal Sans SC"), as the SIL OFL 1.1 asks of modified versions.  Hinting is
dropped (WeasyPrint drops it from embedded fonts anyway); OpenType layout is kept.

Usage:  .venv/bin/python scripts/make_font_subset.py [--source-dir DIR] [--out-dir DIR]

The output is deterministic for a given source font and fontTools version.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE_DIR = Path("/usr/share/fonts/opentype/noto")
DEBIAN_COPYRIGHT = Path("/usr/share/doc/fonts-noto-cjk/copyright")
DEFAULT_OUT_DIR = ROOT / "licensing" / "licences" / "fonts"
TEMPLATE = ROOT / "templates" / "licensing" / "licence_pdf.html"

FAMILY = "Portal Sans SC"
PS_FAMILY = "PortalSansSC"
SC_FACE_NAME = "Noto Sans CJK SC"  # family of the wanted face inside the .ttc

WEIGHTS = {
    # style: (source file, OS/2 weight class)
    "Regular": ("NotoSansCJK-Regular.ttc", 400),
    "Bold": ("NotoSansCJK-Bold.ttc", 700),
}

LAYOUT_FEATURES = [
    "ccmp", "liga", "clig", "calt", "rlig", "kern", "mark", "mkmk",
    "halt", "palt", "chws", "frac", "numr", "dnom", "sups", "subs",
]

EXTRA_RANGES = [
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1 supplement
    (0x0100, 0x017F),  # Latin Extended-A (European company and street names)
    (0x2000, 0x206F),  # General punctuation
    (0x20A0, 0x20CF),  # Currency symbols
    (0x2100, 0x214F),  # Letterlike symbols (No., degree Celsius ...)
    (0x2150, 0x218F),  # Number forms
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0xFF00, 0xFFEF),  # Halfwidth and fullwidth forms
]


def gb2312_code_points() -> set[int]:
    """Every BMP code point that Python's 'gb2312' codec can encode (non-ASCII part)."""
    points = set()
    for cp in range(0x80, 0x10000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        try:
            chr(cp).encode("gb2312")
        except UnicodeEncodeError:
            continue
        points.add(cp)
    return points


def template_code_points() -> set[int]:
    if not TEMPLATE.exists():
        return set()
    return {ord(ch) for ch in TEMPLATE.read_text(encoding="utf-8") if ord(ch) >= 0x20}


def wanted_code_points() -> set[int]:
    points = gb2312_code_points() | template_code_points()
    for start, end in EXTRA_RANGES:
        points.update(range(start, end + 1))
    return points


def find_sc_face(collection: TTCollection) -> int:
    for index, font in enumerate(collection.fonts):
        if font["name"].getDebugName(1) == SC_FACE_NAME:
            return index
    raise SystemExit(f"no face named {SC_FACE_NAME!r} in the collection")


def rename(font, style: str, weight_class: int) -> None:
    """Give the subset its own family name (OFL: modified versions don't use the original)."""
    name = font["name"]
    full = FAMILY if style == "Regular" else f"{FAMILY} {style}"
    ps_name = f"{PS_FAMILY}-{style}"
    version = name.getDebugName(5) or "Version 1.0"
    original = name.getDebugName(4) or SC_FACE_NAME
    # Drop every localized or typographic family/style/full/PostScript/unique name.
    for name_id in (1, 2, 3, 4, 6, 16, 17, 18, 21, 22):
        name.removeNames(nameID=name_id)
    description = (
        f"Subset of {original} ({version}) covering GB2312, Latin-1 and CJK punctuation, "
        f"renamed {full!r}; made with fontTools for the dual-use licence PDF."
    )
    name.removeNames(nameID=10)
    for name_id, value in (
        (1, FAMILY),
        (2, style),
        (3, f"{ps_name};subset of {original}"),
        (4, full),
        (6, ps_name),
        (10, description),
    ):
        name.setName(value, name_id, 3, 1, 0x409)  # Windows, Unicode BMP, en-US
        name.setName(value, name_id, 1, 0, 0)      # Macintosh, Roman, English
    os2 = font["OS/2"]
    os2.usWeightClass = weight_class
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = [ps_name]
        top = cff.topDictIndex[0]
        for attr, value in (("FullName", full), ("FamilyName", FAMILY), ("CIDFontName", ps_name)):
            if hasattr(top, attr):
                setattr(top, attr, value)
        for fd in getattr(top, "FDArray", None) or []:
            if hasattr(fd, "FontName"):
                fd.FontName = f"{ps_name}-{fd.FontName.rsplit('-', 1)[-1]}"


def write_licence(out_dir: Path, copyright_file: Path) -> Path:
    """Write OFL.txt: the copyright notice and the SIL OFL 1.1 text from Debian's copyright file."""
    lines = copyright_file.read_text(encoding="utf-8").splitlines()
    # The stand-alone "License: SIL-1.1" paragraph (the last one; the first is a field).
    start = len(lines) - lines[::-1].index("License: SIL-1.1")
    body = []
    for line in lines[start:]:
        if not line.startswith(" "):
            break  # next paragraph of the copyright file
        line = line.removeprefix(" ")
        body.append("" if line == "." else line)
    text = "\n".join([
        "Portal Sans SC Regular and Bold (PortalSansSC-*.otf) are Modified Versions of",
        "Noto Sans CJK SC, subset and renamed by scripts/make_font_subset.py.",
        "",
        "Copyright 2014-2021 Adobe (http://www.adobe.com/), with Reserved Font Name 'Source'.",
        "Noto is a trademark of Google Inc.",
        "",
        "This Font Software is licensed under the SIL Open Font License, Version 1.1.",
        "This license is copied below, and is also available with a FAQ at:",
        "https://openfontlicense.org",
        "",
        *body,
    ]).rstrip() + "\n"
    out = out_dir / "OFL.txt"
    out.write_text(text, encoding="utf-8")
    return out


def make_subset(source: Path, style: str, weight_class: int, out_dir: Path,
                unicodes: set[int]) -> Path:
    collection = TTCollection(str(source))
    font = collection.fonts[find_sc_face(collection)]
    font.recalcTimestamp = False  # keep head.modified from the source: reproducible output

    options = subset.Options()
    options.hinting = False
    options.desubroutinize = False
    options.name_IDs = ["*"]
    options.name_languages = [0x409, 0]  # English names only (others are renamed anyway)
    options.notdef_outline = True
    options.glyph_names = False
    # Horizontal text only: keep shaping, kerning and proportional-width features, but not
    # 'locl' (Japanese/Korean/Traditional variants), 'vert'/'vrt2', 'aalt' or 'ruby', whose
    # glyph closure would double the file.
    options.layout_features = LAYOUT_FEATURES
    options.drop_tables += ["DSIG", "vhea", "vmtx", "VORG"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(unicodes))
    subsetter.subset(font)

    rename(font, style, weight_class)

    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"{PS_FAMILY}-{style}.otf"
    font.save(str(out))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source-dir", type=Path, default=DEFAULT_SOURCE_DIR)
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_OUT_DIR)
    args = parser.parse_args(argv)

    unicodes = wanted_code_points()
    print(f"{len(unicodes)} code points requested")
    for style, (filename, weight_class) in WEIGHTS.items():
        source = args.source_dir / filename
        if not source.exists():
            print(f"missing {source}: apt-get install fonts-noto-cjk", file=sys.stderr)
            return 1
        out = make_subset(source, style, weight_class, args.out_dir, unicodes)
        print(f"{out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}: "
              f"{out.stat().st_size / 1e6:.2f} MB")
    print(write_licence(args.out_dir, DEBIAN_COPYRIGHT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
