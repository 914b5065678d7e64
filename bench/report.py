"""The targets (issues 8 and 14) and the final PASS/MISS table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

COLD_RATIO_LIMIT = 1.10  # Cramp Coach cold start / baseline, as installed and as bundled
WARM_RATIO_LIMIT = 1.25  # Cramp Coach median per request / baseline LaunchRequest
DYNAMODB_SLACK_MS = 30.0  # DynamoDB cold start may add boto3's own import plus this much
PEAK_RSS_LIMIT_MIB = 80.0  # Lambda's memory setting is in MiB (it calls them MB)


@dataclass(frozen=True)
class Target:
    name: str
    measured: str
    limit: str
    #: None when it could not be measured in this run.
    passed: bool | None

    @property
    def verdict(self) -> str:
        return {True: "PASS", False: "MISS", None: "n/a"}[self.passed]


def not_measured(name: str, limit: str, why: str) -> Target:
    return Target(name, f"not measured ({why})", limit, None)


def print_targets(targets: Sequence[Target]) -> None:
    rows = [
        ("target", "measured", "limit", ""),
        *((t.name, t.measured, t.limit, t.verdict) for t in targets),
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    print("\nTargets")
    for name, measured, limit, verdict in rows:
        print(f"  {name:<{widths[0]}}  {measured:>{widths[1]}}  {limit:<{widths[2]}}  {verdict}")
