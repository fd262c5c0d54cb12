"""The capacity load test's stopping rules and figures (bench/load_rules.py):
which step breaks which rule, the members supported, CPU share and CPU per
request. Arithmetic only: nothing here is timed."""

import pytest

from bench.load_rules import Limits, Step, broken, outcome, ramp


def step(members: int = 100, **changes) -> Step:
    fields = {
        "members": members,
        "seconds": 50.0,
        "requests": 4000,
        "failures": 0,
        "mean_ms": 60.0,
        "p99_ms": 900.0,
        "app_cpu_seconds": 20.0,
        "app_requests": 1000,
        "processes": 2,
        "cores": 2,
    }
    return Step(**{**fields, **changes})


def test_a_step_within_every_limit_breaks_none():
    assert broken(step()) == []


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"mean_ms": 100.5}, "mean 100.5 ms > 100 ms"),
        ({"p99_ms": 2001}, "p99 2001 ms > 2000 ms"),
        # 0.025% of 4,000 is one request: two break the rule.
        ({"failures": 2}, "errors 0.050% (2 of 4000) > 0.025%"),
        # 86 CPU seconds in 50 s on two processes and two cores: 86%.
        ({"app_cpu_seconds": 86.0}, "app CPU 86% > 85%"),
    ],
)
def test_each_rule_breaks_alone(changes, rule):
    assert broken(step(**changes)) == [rule]


def test_limits_are_inclusive_at_the_line():
    at_the_line = step(mean_ms=100.0, p99_ms=2000.0, failures=1, app_cpu_seconds=85.0)
    assert broken(at_the_line) == []


def test_a_window_without_requests_says_nothing_so_it_breaks():
    assert broken(step(requests=0, mean_ms=0, p99_ms=0)) == ["no request was answered"]


def test_one_process_is_full_at_one_core_whatever_the_cores():
    one = step(processes=1, cores=2, app_cpu_seconds=45.0)  # 45 s of 50 s
    assert one.cpu == pytest.approx(0.9)
    assert broken(one) == ["app CPU 90% > 85%"]
    # Two processes on one core share that core.
    assert step(processes=2, cores=1, app_cpu_seconds=25.0).cpu == pytest.approx(0.5)


def test_members_supported_are_the_last_step_before_the_first_broken():
    steps = [step(50), step(100), step(150, mean_ms=140), step(200)]
    judged = outcome(steps)
    assert judged.supported == 100
    assert judged.stopped_by == ["mean 140.0 ms > 100 ms"]
    assert [s.members for s in judged.held] == [50, 100]
    assert not judged.lower_bound


def test_a_first_step_over_a_limit_supports_none():
    judged = outcome([step(50, p99_ms=2500)])
    assert (judged.supported, judged.held) == (0, [])
    assert judged.cpu_ms_per_request is None


def test_a_ramp_that_ran_out_first_is_a_lower_bound():
    judged = outcome([step(50), step(100)])
    assert (judged.supported, judged.stopped_by, judged.lower_bound) == (100, [], True)


def test_cpu_per_request_pools_the_steps_that_held():
    steps = [
        step(50, app_cpu_seconds=6.0, app_requests=200),  # 30 ms each
        step(100, app_cpu_seconds=14.0, app_requests=400),  # 35 ms each
        step(150, app_cpu_seconds=80.0, app_requests=500, mean_ms=300),  # broke
    ]
    assert steps[0].cpu_ms_per_request == pytest.approx(30.0)
    # (6 + 14) s over 600 requests, the broken step left out.
    assert outcome(steps).cpu_ms_per_request == pytest.approx(20.0 / 600 * 1000)
    assert step(app_requests=0).cpu_ms_per_request is None


def test_other_limits_can_be_given():
    assert broken(step(mean_ms=60), Limits(mean_ms=50)) == ["mean 60.0 ms > 50 ms"]


def test_the_ramp_climbs_in_equal_steps_up_to_the_most():
    assert ramp(50, 50, 220) == [50, 100, 150, 200]
    with pytest.raises(ValueError):
        ramp(0, 50, 100)
