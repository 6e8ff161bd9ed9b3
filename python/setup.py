"""Build step of ``pip install ./python``: ship libmongoose.so inside the
package, so ``import mongoose_rs`` works from anywhere with no environment
variable. Metadata lives in pyproject.toml.

Where the library comes from:

* by default ``cargo build --release --lib`` in the repository this
  directory belongs to (``python/..``; ``$CARGO`` and ``$CARGO_TARGET_DIR``
  are honoured);
* ``MONGOOSE_RS_PREBUILT=/path/to/libmongoose.so``: that file, no cargo;
* ``MONGOOSE_RS_PREBUILT=none``: no library in the package; it then loads a
  system-installed one (``make install``) or ``$MONGOOSE_LIB``.

The cffi declarations (``mongoose_rs/mongoose.cdef``) are made from the
repository's ``include/mongoose.h`` when it is there.

The wheel is tagged ``py3-none-<platform>``: it holds a native library but
no Python extension, so any Python 3 on that platform can use it.
"""
import importlib.util
import os
import pathlib
import shutil
import subprocess

from setuptools import Distribution, setup
from setuptools.command.build_py import build_py

try:  # setuptools >= 70.1 has its own; older ones use the wheel package's
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:
    try:
        from wheel.bdist_wheel import bdist_wheel
    except ImportError:
        bdist_wheel = None

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent


def _library():
    """Path of the libmongoose.so to ship, or None."""
    pre = os.environ.get("MONGOOSE_RS_PREBUILT")
    if pre:
        if pre.lower() == "none":
            return None
        p = pathlib.Path(pre)
        if not p.is_file():
            raise SystemExit(f"MONGOOSE_RS_PREBUILT={pre}: no such file")
        return p
    if not (REPO / "Cargo.toml").is_file():
        raise SystemExit(
            f"{REPO} is not a mongoose-rs checkout, so cargo cannot build the library: set "
            "MONGOOSE_RS_PREBUILT to a built libmongoose.so, or to 'none' to rely on an installed one"
        )
    cargo = os.environ.get("CARGO", "cargo")
    subprocess.run([cargo, "build", "--release", "--lib"], cwd=REPO, check=True)
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR") or "target")
    return (REPO / target if not target.is_absolute() else target) / "release" / "libmongoose.so"


def _cdef_module():
    spec = importlib.util.spec_from_file_location("_mongoose_rs_cdef", HERE / "mongoose_rs" / "cdef.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


class BuildPyWithLibrary(build_py):
    """build_py, then libmongoose.so and mongoose.cdef into the package."""

    def run(self):
        super().run()
        pkg = pathlib.Path(self.build_lib) / "mongoose_rs"
        lib = _library()
        if lib is not None:
            shutil.copyfile(lib, pkg / "libmongoose.so")
            os.chmod(pkg / "libmongoose.so", 0o755)
        header = REPO / "include" / "mongoose.h"
        if header.is_file():
            (pkg / "mongoose.cdef").write_text(_cdef_module().header_to_cdef(header.read_text()))


cmdclass = {"build_py": BuildPyWithLibrary}


class BinaryDistribution(Distribution):
    """Installed as platform-specific (platlib, non-pure wheel): it carries
    a native library."""

    def has_ext_modules(self):
        return True


if bdist_wheel is not None:

    class PlatformWheel(bdist_wheel):
        """A platform wheel (it carries a .so) usable by any Python 3."""

        def get_tag(self):
            _, _, plat = super().get_tag()
            return "py3", "none", plat

    cmdclass["bdist_wheel"] = PlatformWheel

setup(cmdclass=cmdclass, distclass=BinaryDistribution)
