"""cffi declarations for the whole C API, made from ``mongoose.h``.

``mongoose_rs`` itself uses ctypes; this module is for programs that prefer
cffi (ABI mode: no compiler needed)::

    from mongoose_rs.cdef import load
    ffi, lib = load()                      # cffi.FFI() + the library
    mgr = ffi.new("struct mg_mgr *")
    lib.mg_mgr_init(mgr)

:func:`cdef` returns the declarations as text for your own ``ffi.cdef()``.
The text is made from ``include/mongoose.h`` by :func:`header_to_cdef`: at
wheel build time (shipped as ``mongoose_rs/mongoose.cdef``) or, in a source
checkout, on first use. What cffi's parser cannot take is left out: the
preprocessor (function-like macros, string constants, ``#if``), so only
integer ``#define`` constants remain; ``va_list *`` parameters become
``void *``. Layouts are those of the x86_64 header (``time_t`` is ``long``).

This module imports nothing from the package at import time, so the build
step can use :func:`header_to_cdef` before the library exists.
"""
import pathlib
import re

__all__ = ["CDEF_FILE", "cdef", "header_to_cdef", "load"]

_PKG_DIR = pathlib.Path(__file__).resolve().parent
#: The shipped declarations (present in an installed package).
CDEF_FILE = _PKG_DIR / "mongoose.cdef"
_HEADER = _PKG_DIR.parent.parent / "include" / "mongoose.h"

_PRELUDE = "typedef long time_t;\n"
_INT_DEFINE = re.compile(r"#define\s+([A-Za-z_]\w*)\s+(-?(?:0[xX][0-9a-fA-F]+|\d+))\s*$")


# Declared by mongoose.h but defined by the program (Mongoose's `pack` tool,
# Wizard-generated code), so the library cannot resolve them.
_PROGRAM_DEFINED = re.compile(r"^\s*extern\b.*\b(mg_packed_files|g_mgr|mg_dash_init|mg_dash_poll|"
                              r"mg_mqtt_init|mg_mqtt_poll)\b")


def header_to_cdef(text):
    """Turn the text of mongoose.h into declarations ``cffi.FFI.cdef`` takes.

    Keeps typedefs, structs, unions, prototypes and integer ``#define``
    constants; drops comments, every other preprocessor line, the
    ``extern "C"`` blocks (``#ifdef __cplusplus``) and the symbols a program
    defines (``mg_packed_files``, the Wizard's ``g_mgr``...)."""
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r"\\\n", " ", text)  # join continued lines (macros)
    out = []
    skip_cplusplus = 0
    depth = 0  # nesting of #if blocks inside a skipped #ifdef __cplusplus
    for line in text.splitlines():
        s = line.strip()
        if skip_cplusplus:
            if s.startswith("#if"):
                depth += 1
            elif s.startswith("#endif"):
                if depth == 0:
                    skip_cplusplus = 0
                else:
                    depth -= 1
            continue
        if s.startswith("#ifdef __cplusplus"):
            skip_cplusplus = 1
            continue
        if _PROGRAM_DEFINED.match(s):
            continue
        if s.startswith("#"):
            m = _INT_DEFINE.match(s)
            if m:
                out.append(f"#define {m.group(1)} {m.group(2)}")
            continue
        out.append(line)
    body = "\n".join(out)
    body = re.sub(r"\bva_list\s*\*", "void *", body)
    body = re.sub(r"\n\s*\n+", "\n", body)
    return _PRELUDE + body.strip() + "\n"


def cdef():
    """The cffi declarations for the library: the shipped ``mongoose.cdef``,
    else made from the source checkout's ``include/mongoose.h``."""
    if CDEF_FILE.exists():
        return CDEF_FILE.read_text()
    if _HEADER.exists():
        return header_to_cdef(_HEADER.read_text())
    raise FileNotFoundError(f"mongoose_rs: neither {CDEF_FILE} nor {_HEADER} exists")


def load(ffi=None):
    """Return ``(ffi, lib)``: ``ffi`` (a new ``cffi.FFI()`` unless given) with
    :func:`cdef` declared, and ``lib`` the library ``mongoose_rs`` loads
    (``ffi.dlopen(mongoose_rs.LIBRARY_PATH)``)."""
    try:
        import cffi
    except ImportError as e:
        raise ImportError("mongoose_rs.cdef.load() needs cffi: pip install cffi") from e

    from . import _lib

    if ffi is None:
        ffi = cffi.FFI()
    ffi.cdef(cdef())
    return ffi, ffi.dlopen(_lib.LIBRARY_PATH)
