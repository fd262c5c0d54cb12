"""The arithmetic of the capacity load test (bench/load.py): what one step of
the ramp measured, the stopping rules, and the figures printed at the end.

Kept apart from load.py, which imports locust (and with it gevent's monkey
patching), so tests/bench/test_load_rules.py can check it in an ordinary
process. Not a benchmark itself: `make bench` skips bench/load_*.py.

The rules (Mattermost's, as issue #18 states them): a step is over capacity
when its mean response is over 100 ms, its p99 over 2 s, more than 0.025% of
its requests failed, or the app processes used more than 85% of the CPU they
can use. "The CPU they can use" is min(app processes, cores) cores: one
process runs Python on one core at a time, so one process on two cores is
full at 100% of one core, not at 50% of the machine.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    mean_ms: float = 100.0
    p99_ms: float = 2000.0
    error_rate: float = 0.00025  # 0.025%
    cpu: float = 0.85


@dataclass(frozen=True)
class Step:
    """What one measured window of the ramp saw.

    `requests` and `failures` are the load generator's (a write counts once,
    its redirect to the page written on included); `app_requests` is what the
    app processes served in the window (nginx's access log, sockets left
    out), which CPU per request divides by. `app_cpu_seconds` is the app
    processes' user and system CPU over the window."""

    members: int
    seconds: float
    requests: int
    failures: int
    mean_ms: float
    p99_ms: float
    app_cpu_seconds: float
    app_requests: int
    processes: int
    cores: int

    @property
    def error_rate(self) -> float:
        return self.failures / self.requests if self.requests else 0.0

    @property
    def cpu(self) -> float:
        """The app processes' CPU as a share of what they can use."""
        usable = min(self.processes, self.cores) * self.seconds
        return self.app_cpu_seconds / usable if usable > 0 else 0.0

    @property
    def cpu_ms_per_request(self) -> float | None:
        if not self.app_requests:
            return None
        return self.app_cpu_seconds / self.app_requests * 1000


def broken(step: Step, limits: Limits = Limits()) -> list[str]:
    """The rules `step` broke, each as a short sentence; empty when within
    every limit. A window without a single request is broken too: it says
    nothing about capacity."""
    if not step.requests:
        return ["no request was answered"]
    reasons = []
    if step.mean_ms > limits.mean_ms:
        reasons.append(f"mean {step.mean_ms:.1f} ms > {limits.mean_ms:.0f} ms")
    if step.p99_ms > limits.p99_ms:
        reasons.append(f"p99 {step.p99_ms:.0f} ms > {limits.p99_ms:.0f} ms")
    if step.error_rate > limits.error_rate:
        reasons.append(
            f"errors {step.error_rate:.3%} ({step.failures} of {step.requests}) "
            f"> {limits.error_rate:.3%}"
        )
    if step.cpu > limits.cpu:
        reasons.append(f"app CPU {step.cpu:.0%} > {limits.cpu:.0%}")
    return reasons


@dataclass(frozen=True)
class Outcome:
    """A ramp's result: the most simultaneous members a step held within
    every limit (0 when the first step broke one), what stopped the ramp
    (empty when it ran out of time or steps first: then `supported` is a
    lower bound) and the steps that held."""

    supported: int
    stopped_by: list[str]
    held: list[Step]

    @property
    def lower_bound(self) -> bool:
        return not self.stopped_by

    @property
    def cpu_ms_per_request(self) -> float | None:
        """App CPU seconds over app requests across the steps that held."""
        requests = sum(step.app_requests for step in self.held)
        if not requests:
            return None
        return sum(step.app_cpu_seconds for step in self.held) / requests * 1000


def outcome(steps: list[Step], limits: Limits = Limits()) -> Outcome:
    """Judge the ramp's steps in order: the ramp stops at the first that
    breaks a rule, and the members supported are those of the step before."""
    held: list[Step] = []
    for step in steps:
        reasons = broken(step, limits)
        if reasons:
            return Outcome(held[-1].members if held else 0, reasons, held)
        held.append(step)
    return Outcome(held[-1].members if held else 0, [], held)


def ramp(start: int, step: int, most: int) -> list[int]:
    """The members of each step: start, start + step, ... up to most."""
    if start <= 0 or step <= 0:
        raise ValueError("start and step must be positive")
    return list(range(start, most + 1, step))
