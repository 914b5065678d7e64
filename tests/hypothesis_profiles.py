"""Hypothesis profiles for the property tests, chosen by ``HYPOTHESIS_PROFILE``.

* ``dev`` (default): a fifth of the CI examples, for a quick local run.
* ``ci`` (``.ci/run`` sets it): the full CI count, derandomised, so every run tries the same
  examples and a failure reproduces with the same command; no example database is written.
* ``nightly``: twenty times the CI count, with a fresh random seed each run (hypothesis prints
  how to reproduce a failure) and the example database kept, so past failures are tried first.

Tests ask :func:`examples` for their count instead of fixing one, so the profile scales them
all. Import this module from the test modules that use it (not from conftest.py): loading it
registers and loads the profiles.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar

from hypothesis import HealthCheck, Phase, seed, settings

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "dev")
#: The seed CI runs with (recorded here so a CI failure reproduces anywhere).
CI_SEED = 20261121

_SCALE = {"dev": 0.2, "ci": 1.0, "nightly": 20.0}
# Envelopes are built from large composite strategies, and some examples go over HTTP.
_SLOW_IS_FINE = [HealthCheck.too_slow, HealthCheck.data_too_large]

settings.register_profile(
    "dev", deadline=None, suppress_health_check=_SLOW_IS_FINE, print_blob=True
)
settings.register_profile(
    "ci",
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=_SLOW_IS_FINE,
    print_blob=True,
    # No explain phase: it re-runs failing examples many times for little extra insight.
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
)
settings.register_profile(
    "nightly", deadline=None, suppress_health_check=_SLOW_IS_FINE, print_blob=True
)
if PROFILE not in _SCALE:
    raise ValueError(f"HYPOTHESIS_PROFILE={PROFILE!r}: use one of {sorted(_SCALE)}")
settings.load_profile(PROFILE)

_F = TypeVar("_F", bound=Callable[..., Any])


def examples(ci_count: int) -> int:
    """How many examples a test with ``ci_count`` examples in CI runs under this profile."""
    return max(10, round(ci_count * _SCALE[PROFILE]))


def fixed_seed(test: _F) -> _F:
    """Pin the seed to :data:`CI_SEED`, except in the nightly profile, which explores."""
    if PROFILE == "nightly":
        return test
    pinned: _F = seed(CI_SEED)(test)
    return pinned
