import ctypes


def test_library_loads_and_exports_mg_symbols(lib):
    assert hasattr(lib, "mg_snprintf")
    level = ctypes.c_int.in_dll(lib, "mg_log_level")
    assert level.value == 3
