r"""Let oscrypto 1.3.0 load on systems whose OpenSSL version has a two-digit part.

The Alexa request verifier (``ask_sdk_webservice_support``) uses certvalidator, which
imports oscrypto. oscrypto 1.3.0, its latest release, reads the libcrypto version
string with the pattern ``\b(\d\.\d\.\d[a-z]*)\b``. That pattern cannot read
"OpenSSL 3.0.19", so on any OpenSSL 3.0.10 or newer the import fails with
``LibraryNotFoundError: Error detecting the version of libcrypto`` (oscrypto issue 78,
fixed on oscrypto's main branch but not released).

:func:`ensure_oscrypto_loads` installs an import hook for exactly the two modules that
hold the pattern, ``oscrypto._openssl._libcrypto_ctypes`` and
``oscrypto._openssl._libcrypto_cffi``. When one of them is imported, the hook reads
the installed source; if it contains the old pattern, the hook executes the source
with the pattern changed to ``\d+\.\d+\.\d+[a-z]*``. Otherwise (an oscrypto release
with the fix) the module is imported the normal way. The installed files and their
bytecode caches are never written.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import logging
import sys
from collections.abc import Sequence
from types import CodeType, ModuleType

__all__ = ["ensure_oscrypto_loads", "fix_version_pattern"]

_log = logging.getLogger(__name__)

#: The modules that parse the libcrypto version; nothing else is touched.
TARGET_MODULES = frozenset(
    {"oscrypto._openssl._libcrypto_ctypes", "oscrypto._openssl._libcrypto_cffi"}
)

# The patterns as they appear in oscrypto's source text: inside ordinary (not raw)
# string literals, so every regex backslash is written twice.
_OLD_PATTERN = r"\\d\\.\\d\\.\\d[a-z]*"
_FIXED_PATTERN = r"\\d+\\.\\d+\\.\\d+[a-z]*"


def fix_version_pattern(source: str) -> str:
    """Return ``source`` with oscrypto's single-digit version pattern made multi-digit.

    A source without the old pattern (for example from a fixed oscrypto release) is
    returned unchanged, so applying this twice is the same as applying it once.
    """
    return source.replace(_OLD_PATTERN, _FIXED_PATTERN)


class _FixedSourceLoader(importlib.machinery.SourceFileLoader):
    """Executes an already-fixed source text as the module found at ``path``.

    It compiles from memory and never reads or writes a bytecode cache, so a cached
    bytecode of the unfixed file is not used and the fixed one is not stored.
    """

    def __init__(self, fullname: str, path: str, source: str) -> None:
        super().__init__(fullname, path)
        self._source = source

    def get_source(self, fullname: str) -> str:
        return self._source

    def get_code(self, fullname: str) -> CodeType:
        return compile(self._source, self.path, "exec", dont_inherit=True)


class _LibcryptoVersionFinder(importlib.abc.MetaPathFinder):
    """Finds oscrypto's two libcrypto modules and loads them with the fixed pattern."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in TARGET_MODULES:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.origin is None:
            return None
        if not isinstance(spec.loader, importlib.machinery.SourceFileLoader):
            _log.debug("%s has no source file; importing it unchanged", fullname)
            return None
        source = spec.loader.get_source(fullname)
        if source is None:
            _log.debug("%s has no readable source; importing it unchanged", fullname)
            return None
        fixed = fix_version_pattern(source)
        if fixed == source:
            _log.debug("%s has no single-digit version pattern; importing it unchanged", fullname)
            return None
        _log.debug("loading %s from %s with the multi-digit version pattern", fullname, spec.origin)
        loader = _FixedSourceLoader(fullname, spec.origin, fixed)
        return importlib.util.spec_from_file_location(fullname, spec.origin, loader=loader)


def ensure_oscrypto_loads() -> None:
    """Install the import hook that fixes oscrypto's libcrypto version parsing.

    Call it before anything imports oscrypto (in practice before ``flask_ask_sdk`` or
    ``ask_sdk_webservice_support.verifier``). Calling it again does nothing.
    """
    if any(isinstance(finder, _LibcryptoVersionFinder) for finder in sys.meta_path):
        return
    already = sorted(TARGET_MODULES.intersection(sys.modules))
    if already:
        _log.debug("already imported before the oscrypto fix was installed: %s", already)
    sys.meta_path.insert(0, _LibcryptoVersionFinder())
    _log.debug("installed the oscrypto libcrypto version fix")
