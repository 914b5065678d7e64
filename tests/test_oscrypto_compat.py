"""skill.oscrypto_compat: oscrypto 1.3.0 must load with OpenSSL versions like 3.0.19.

Imports happen in fresh interpreters: oscrypto decides once per process.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from skill.oscrypto_compat import fix_version_pattern

# The line as oscrypto 1.3.0 writes it (an ordinary string literal: doubled backslashes).
OLD_LINE = (
    "version_match = re.search('\\\\b(\\\\d\\\\.\\\\d\\\\.\\\\d[a-z]*)\\\\b', version_string)"
)
FIXED_LINE = (
    "version_match = re.search('\\\\b(\\\\d+\\\\.\\\\d+\\\\.\\\\d+[a-z]*)\\\\b', version_string)"
)
# oscrypto's own single-digit pattern, to tell whether this machine needs the fix.
OLD_REGEX = r"\b(\d\.\d\.\d[a-z]*)\b"


def _run(code: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        check=False,
    )


def _libcrypto_version_string() -> str:
    """The version string oscrypto reads, read here without oscrypto."""
    name = ctypes.util.find_library("crypto")
    if name is None:
        pytest.skip("no libcrypto on this machine")
    libcrypto = ctypes.CDLL(name)
    libcrypto.OpenSSL_version.restype = ctypes.c_char_p
    libcrypto.OpenSSL_version.argtypes = [ctypes.c_int]
    version: bytes = libcrypto.OpenSSL_version(0)
    return version.decode("utf-8")


def _source(pattern_line: str) -> str:
    return f"import re\nversion_string = 'OpenSSL 3.0.19 27 Jan 2026'\n{pattern_line}\n"


def test_fix_rewrites_the_single_digit_pattern() -> None:
    assert fix_version_pattern(_source(OLD_LINE)) == _source(FIXED_LINE)


def test_fix_leaves_a_fixed_source_untouched() -> None:
    fixed = _source(FIXED_LINE)
    assert fix_version_pattern(fixed) == fixed


@pytest.mark.parametrize(
    ("version_string", "version"),
    [
        ("OpenSSL 3.0.19 27 Jan 2026", "3.0.19"),
        ("OpenSSL 3.5.10 1 Jan 2027", "3.5.10"),
        ("OpenSSL 1.1.1w  11 Sep 2023", "1.1.1w"),
        ("OpenSSL 3.0.2 15 Mar 2022", "3.0.2"),
    ],
)
def test_fixed_source_reads_multi_digit_versions(version_string: str, version: str) -> None:
    namespace: dict[str, object] = {}
    source = fix_version_pattern(_source(OLD_LINE)).replace(
        "OpenSSL 3.0.19 27 Jan 2026", version_string
    )
    exec(compile(source, "<fixed>", "exec"), namespace)
    match = namespace["version_match"]
    assert isinstance(match, re.Match)
    assert match.group(1) == version


def test_installed_oscrypto_still_has_the_old_pattern() -> None:
    """When this fails, oscrypto shipped the fix: the hook then does nothing."""
    import importlib.util

    for name in ("oscrypto._openssl._libcrypto_ctypes", "oscrypto._openssl._libcrypto_cffi"):
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.origin is not None
        source = Path(spec.origin).read_text(encoding="utf-8")
        assert fix_version_pattern(source) != source, name


def test_verifier_imports_with_the_fix() -> None:
    result = _run(
        """
        import json, sys
        from skill.oscrypto_compat import ensure_oscrypto_loads
        ensure_oscrypto_loads()
        ensure_oscrypto_loads()
        import flask_ask_sdk.skill_adapter
        import ask_sdk_webservice_support.verifier
        from oscrypto._openssl import _libcrypto
        hooks = [f for f in sys.meta_path if type(f).__module__ == "skill.oscrypto_compat"]
        print(json.dumps({"version_info": _libcrypto.libcrypto_version_info, "hooks": len(hooks)}))
        """
    )
    assert result.returncode == 0, result.stderr
    reported = json.loads(result.stdout)
    assert reported["hooks"] == 1
    version_info = tuple(reported["version_info"])
    assert version_info and all(isinstance(part, int) for part in version_info)
    expected = re.search(r"\b(\d+)\.(\d+)\.(\d+)", _libcrypto_version_string())
    assert expected is not None
    assert version_info == tuple(int(part) for part in expected.groups())


def test_verifier_import_fails_without_the_fix() -> None:
    version_string = _libcrypto_version_string()
    if re.search(OLD_REGEX, version_string):
        pytest.skip(f"{version_string!r} has single-digit parts: oscrypto reads it unaided")
    result = _run("import flask_ask_sdk.skill_adapter")
    assert result.returncode != 0
    assert "Error detecting the version of libcrypto" in result.stderr


def test_hook_only_rewrites_sources_that_need_it(tmp_path: Path) -> None:
    """A stand-in oscrypto package: one module with the old pattern, one already fixed."""
    package = tmp_path / "oscrypto" / "_openssl"
    package.mkdir(parents=True)
    (tmp_path / "oscrypto" / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "_libcrypto_ctypes.py").write_text(_source(OLD_LINE))
    (package / "_libcrypto_cffi.py").write_text(_source(FIXED_LINE))
    result = _run(
        """
        import json, sys
        from skill.oscrypto_compat import ensure_oscrypto_loads
        ensure_oscrypto_loads()
        sys.dont_write_bytecode = False  # from here on, only the stand-in package
        import oscrypto._openssl._libcrypto_ctypes as old, oscrypto._openssl._libcrypto_cffi as new
        print(json.dumps({
            module.__name__.rsplit(".", 1)[1]: {
                "loader": type(module.__spec__.loader).__name__,
                "file": module.__file__,
                "version": module.version_match.group(1),
            }
            for module in (old, new)
        }))
        """,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert loaded["_libcrypto_ctypes"] == {
        "loader": "_FixedSourceLoader",
        "file": str(package / "_libcrypto_ctypes.py"),
        "version": "3.0.19",
    }
    assert loaded["_libcrypto_cffi"]["loader"] == "SourceFileLoader"
    assert loaded["_libcrypto_cffi"]["version"] == "3.0.19"
    # The rewritten module leaves no bytecode behind; the untouched one is cached as usual.
    cached = sorted(path.name.split(".")[0] for path in (package / "__pycache__").glob("*.pyc"))
    assert cached == ["__init__", "_libcrypto_cffi"]
