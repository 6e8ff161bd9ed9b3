"""Shared fixtures: load the library built by cargo with ctypes."""
import ctypes
import os
import pathlib

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]


def library_path() -> str:
    env = os.environ.get("MONGOOSE_LIB")
    if env:
        return env
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    for profile in ("debug", "release"):
        p = target / profile / "libmongoose.so"
        if p.exists():
            return str(p)
    raise RuntimeError("libmongoose.so not found: run cargo build first")


@pytest.fixture(scope="session")
def lib():
    return ctypes.CDLL(library_path())
