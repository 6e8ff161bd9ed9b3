#!/usr/bin/env python3
"""Mongoose API coverage: README.md's "## Mongoose API coverage" section.

    python3 scripts/coverage.py            # same as --check
    python3 scripts/coverage.py --check    # exit 1 if the table or the README is not true
    python3 scripts/coverage.py --write    # update tests/data/coverage.tsv's status
                                           # column and regenerate the README section
    ... [--lib path/to/libmongoose.so]     # default: $CARGO_TARGET_DIR or target/, debug

Inputs:
  tests/data/mongoose-7.23-exports.txt  every mg_* symbol Mongoose 7.23's shared library
                                        exports on Linux (nm -D --defined-only, names)
  tests/data/coverage.tsv               name, family, status, note for each of them, plus
                                        mongoose-rs's own additions (status "extension")
  the built libmongoose.so (nm)         what we export; mg_rs_* helpers are internal
  include/mongoose.h                    what we declare

Rules (--check, run by tests/coverage.rs):
  * the TSV lists exactly Mongoose's exports, plus extensions that Mongoose lacks;
  * "supported", "links only" (exported so programs link, but the feature behind it
    is not implemented: the note says what it does) and "extension" names are
    exported by the library and declared in the header; "not yet" / "not
    applicable" names are not exported;
  * every mg_* export of the library (but mg_rs_*) is in the TSV;
  * README.md's section is what this script renders.
--write fixes what it can: an exported and declared "not yet"/"not applicable" name
becomes "supported", a "supported" one no longer exported goes back to "not yet", an
unknown export is added as an extension (each change is printed); then it rewrites the
README section (inserted before "## Not supported (yet)" the first time) and checks.
"""
import argparse
import os
import re
import subprocess
import sys
from collections import OrderedDict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXPORTS = ROOT / "tests/data/mongoose-7.23-exports.txt"
TSV = ROOT / "tests/data/coverage.tsv"
HEADER = ROOT / "include/mongoose.h"
README = ROOT / "README.md"
TITLE = "## Mongoose API coverage"
BEFORE = "## Not supported (yet)"
STATUSES = ["supported", "links only", "not yet", "not applicable", "extension"]
# Families in mongoose.h's order; any other family follows, alphabetically.
FAMILY_ORDER = [
    "Strings", "printf", "Logging", "Time and timers", "Memory and utilities", "I/O buffers",
    "URLs and addresses", "Event manager and connections", "Wakeup", "HTTP", "Filesystem",
    "WebSocket", "JSON", "JSON-RPC", "Base64", "Hashes and HMAC", "JWT", "Lock-free queue",
    "TLS", "DNS", "mDNS", "MQTT", "SNTP", "Modbus", "OTA firmware update", "Device dashboard",
    "Built-in TLS crypto", "Wi-Fi and PHY drivers", "mongoose-rs additions",
]


def default_lib():
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    return target / "debug" / "libmongoose.so"


def our_exports(lib):
    """mg_* symbols the shared library defines, minus the internal mg_rs_* helpers."""
    out = subprocess.run(["nm", "-D", "--defined-only", str(lib)], check=True,
                         capture_output=True, text=True).stdout
    names = set()
    for line in out.splitlines():
        f = line.split()
        if len(f) == 3 and f[2].startswith("mg_") and not f[2].startswith("mg_rs_"):
            names.add(f[2])
    return names


def declared(header_text):
    """Functions and data objects the header declares (not macros)."""
    text = re.sub(r"/\*.*?\*/", " ", header_text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    text = text.replace("\\\n", " ")  # macro continuation lines
    code = "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("#"))
    names = set(re.findall(r"\b(mg_\w+)\s*\(", code))
    for decl in code.split(";"):
        m = re.search(r"\bextern\b[^;()]*?\b(mg_\w+)\s*(\[\s*\])?\s*$", decl.strip())
        if m:
            names.add(m.group(1))
    return names


def read_tsv():
    """(comment lines, header line, rows as [name, family, status, note])."""
    comments, head, rows = [], None, []
    for line in TSV.read_text().splitlines():
        if line.startswith("#") or not line.strip():
            comments.append(line)
        elif head is None:
            head = line
        else:
            f = line.split("\t")
            f += [""] * (4 - len(f))
            rows.append(f[:4])
    return comments, head, rows


def write_tsv(comments, head, rows):
    rows = sorted(rows, key=lambda r: (r[2] == "extension", r[0]))
    lines = comments + [head] + ["\t".join(r).rstrip("\t") for r in rows]
    TSV.write_text("\n".join(lines) + "\n")


def family_key(f):
    return (FAMILY_ORDER.index(f), "") if f in FAMILY_ORDER else (len(FAMILY_ORDER), f)


def render(rows, mongoose_names):
    """The README section, from the TSV rows."""
    groups = OrderedDict()
    for name, fam, status, note in sorted(rows, key=lambda r: (family_key(r[1]), STATUSES.index(r[2]), r[0])):
        groups.setdefault((fam, status), []).append((name, note))
    count = {s: sum(1 for r in rows if r[2] == s and r[0] in mongoose_names) for s in STATUSES}
    out = [
        TITLE,
        "",
        "Every `mg_*` symbol that Mongoose 7.23's shared library exports on Linux "
        f"({len(mongoose_names)}: functions, and a few data objects such as `mg_fs_posix`), "
        f"by family: **{count['supported']} supported** (exported by `libmongoose` and declared "
        f"in `mongoose.h`), **{count['links only']} links only** (exported and declared so "
        "that programs link, but the feature is not implemented: see the note), "
        f"**{count['not yet']} not yet**, **{count['not applicable']} not "
        "applicable** (embedded-only: Wi-Fi and PHY drivers, the built-in TCP/IP stack, the "
        "crypto inside Mongoose's built-in TLS stack). mongoose-rs's own "
        "additions close the table. Generated by `python3 scripts/coverage.py --write` from the "
        "library's exports and `tests/data/coverage.tsv`; `tests/coverage.rs` fails when it is "
        "not true.",
        "",
        "| Family | Status | Count | Symbols |",
        "|---|---|---:|---|",
    ]
    for (fam, status), items in groups.items():
        syms = ", ".join(f"`{n}`" + (f" ({note})" if note else "") for n, note in items)
        out.append(f"| {fam} | {status} | {len(items)} | {syms.replace('|', '&#124;')} |")
    return "\n".join(out) + "\n"


def readme_section(text):
    """(start, end) of the section in README.md's text, or None."""
    start = text.find("\n" + TITLE + "\n")
    if start < 0:
        return None
    start += 1
    nxt = text.find("\n## ", start + len(TITLE))
    return start, (len(text) if nxt < 0 else nxt + 1)


def with_section(text, section):
    span = readme_section(text)
    if span:
        return text[: span[0]] + section + "\n" + text[span[1]:]
    at = text.find("\n" + BEFORE + "\n")
    if at < 0:
        return text.rstrip("\n") + "\n\n" + section
    return text[: at + 1] + section + "\n" + text[at + 1:]


def problems(rows, mongoose_names, ours, decl, readme_text):
    errs = []
    listed = {}
    for name, fam, status, _ in rows:
        if name in listed:
            errs.append(f"{name}: listed twice in {TSV.name}")
        listed[name] = status
        if status not in STATUSES:
            errs.append(f"{name}: unknown status {status!r} (one of {', '.join(STATUSES)})")
        if not fam:
            errs.append(f"{name}: no family")
        exported, is_decl = name in ours, name in decl
        if status in ("supported", "links only", "extension"):
            if not exported:
                errs.append(f"{name}: {status} but not exported by the library")
            if not is_decl:
                errs.append(f"{name}: {status} but not declared in include/mongoose.h")
        elif exported:
            errs.append(f"{name}: exported by the library but listed {status!r}")
        if status == "extension" and name in mongoose_names:
            errs.append(f"{name}: Mongoose exports it, so it is not an extension")
        if status != "extension" and name not in mongoose_names:
            errs.append(f"{name}: not a Mongoose 7.23 export ({EXPORTS.name}); mark it 'extension'")
    for name in sorted(mongoose_names - set(listed)):
        errs.append(f"{name}: Mongoose export missing from {TSV.name}")
    for name in sorted(ours - set(listed)):
        errs.append(f"{name}: exported by the library but not in {TSV.name}")
    span = readme_section(readme_text)
    want = render(rows, mongoose_names)
    if span is None:
        errs.append(f"README.md has no {TITLE!r} section")
    elif readme_text[span[0]:span[1]].rstrip("\n") != want.rstrip("\n"):
        errs.append("README.md's coverage section is out of date")
    return errs


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="verify (default)")
    mode.add_argument("--write", action="store_true", help="update the TSV and README.md")
    ap.add_argument("--lib", type=Path, default=None, help="libmongoose.so to read exports from")
    args = ap.parse_args()
    lib = args.lib or default_lib()
    if not lib.is_file():
        sys.exit(f"{lib} not found: run `cargo build` first (or pass --lib)")
    mongoose_names = {l.strip() for l in EXPORTS.read_text().splitlines() if l.strip()}
    ours = our_exports(lib)
    decl = declared(HEADER.read_text())
    comments, head, rows = read_tsv()

    if args.write:
        listed = {r[0] for r in rows}
        for r in rows:
            name, status = r[0], r[2]
            if status in ("not yet", "not applicable") and name in ours and name in decl:
                print(f"{name}: {status} -> supported")
                r[2] = "supported"
            elif status in ("supported", "links only") and name not in ours:
                print(f"{name}: supported -> not yet (no longer exported)")
                r[2] = "not yet"
        for name in sorted(ours - listed - mongoose_names):
            print(f"{name}: new export, added as an extension (give it a family)")
            rows.append([name, "mongoose-rs additions", "extension", ""])
        write_tsv(comments, head, rows)
        _, _, rows = read_tsv()
        text = README.read_text()
        new = with_section(text, render(rows, mongoose_names))
        if new != text:
            README.write_text(new)
            print("README.md: coverage section updated")

    errs = problems(rows, mongoose_names, ours, decl, README.read_text())
    if errs:
        print(f"coverage: {len(errs)} problem(s) (library {lib}):", file=sys.stderr)
        for e in errs:
            print("  " + e, file=sys.stderr)
        if not args.write:
            print("fix the library/header, or run: python3 scripts/coverage.py --write", file=sys.stderr)
        sys.exit(1)
    print(f"coverage: ok ({len(rows)} symbols)")


if __name__ == "__main__":
    main()
