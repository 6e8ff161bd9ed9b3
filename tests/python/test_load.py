import ctypes
import subprocess
import sys


def test_library_loads_and_exports_mg_symbols(lib):
    assert hasattr(lib, "mg_snprintf")
    # The C default, seen from a fresh process (importing mongoose_rs sets 0,
    # as pymongoose does).
    code = "import ctypes,sys; print(ctypes.c_int.in_dll(ctypes.CDLL(sys.argv[1]), 'mg_log_level').value)"
    out = subprocess.run([sys.executable, "-c", code, lib._name], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "3"
