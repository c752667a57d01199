"""Robustness tests: Hypothesis profiles shared with tests/property (``ci`` default, ``fuzz`` long).

``HYPOTHESIS_PROFILE=fuzz`` (``make fuzz``) runs 100,000 examples per property; the default ``ci``
profile runs a slice that fits the normal suite.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=2_100, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=False
)
settings.register_profile(
    "fuzz", max_examples=100_000, deadline=None, suppress_health_check=list(HealthCheck)
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

FUZZ = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"
