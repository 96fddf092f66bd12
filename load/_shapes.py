"""Load shapes: ramp, spike and soak, scaled by ``-u`` (peak users), ``-r`` and ``-t`` (duration).

In shape mode locust applies ``-t`` only after the shape has ended, so every shape here ends
itself at ``-t`` seconds.

``--shape`` picks one; ``steady`` (the default) is locust's own ``-u``/``-r``/``-t`` run. Each shape
is a ``LoadTestShape``; the locustfile exposes one ``SelectedShape`` that delegates to the chosen
one, because locust runs the first shape class it finds and has no option to choose among several.
"""

from __future__ import annotations

from locust import LoadTestShape

DEFAULT_SECONDS = 60.0


class _Scaled(LoadTestShape):
    """A shape over the run's ``-u`` users and ``-t`` seconds (60 s without ``-t``)."""

    abstract = True

    def __init__(self, users: int, spawn_rate: float, seconds: float | None) -> None:
        super().__init__()
        self.users = max(users, 1)
        self.spawn_rate = spawn_rate
        self.seconds = seconds or DEFAULT_SECONDS

    def at(self, fraction: float) -> int | None:
        """Users wanted at ``fraction`` (0–1) of the run; ``None`` ends it."""
        raise NotImplementedError

    def tick(self) -> tuple[int, float] | None:
        """Users and spawn rate for now."""
        fraction = self.get_run_time() / self.seconds
        if fraction >= 1.0:
            return None
        users = self.at(fraction)
        return None if users is None else (users, self.spawn_rate)


class SteadyShape(_Scaled):
    """``-u`` users from the start (spawned at ``-r``) until ``-t`` ends the run, as without a shape."""

    abstract = True

    def __init__(self, users: int, spawn_rate: float, seconds: float | None) -> None:
        super().__init__(users, spawn_rate, seconds)
        self.endless = not seconds

    def tick(self) -> tuple[int, float] | None:
        """All users, until ``-t`` seconds have passed (for ever without ``-t``)."""
        if not self.endless and self.get_run_time() >= self.seconds:
            return None
        return self.users, self.spawn_rate


class RampShape(_Scaled):
    """From 1 user up to ``-u`` over the first 80 % of the run, then held: where does it bend?"""

    abstract = True

    def at(self, fraction: float) -> int:
        """Linear growth, then the peak."""
        return max(1, round(self.users * min(fraction / 0.8, 1.0)))


class SpikeShape(_Scaled):
    """A fifth of ``-u`` users, all ``-u`` between 40 % and 60 % of the run, then a fifth again: does it recover?"""

    abstract = True

    def at(self, fraction: float) -> int:
        """Baseline, spike, baseline."""
        return self.users if 0.4 <= fraction < 0.6 else max(1, self.users // 5)


class SoakShape(_Scaled):
    """``-u`` users for the whole (long) run, reached within its first 5 %: does anything leak or drift?"""

    abstract = True

    def at(self, fraction: float) -> int:
        """A short ramp, then the plateau."""
        return max(1, round(self.users * min(fraction / 0.05, 1.0)))


SHAPES: dict[str, type[_Scaled]] = {"steady": SteadyShape, "ramp": RampShape, "spike": SpikeShape, "soak": SoakShape}
