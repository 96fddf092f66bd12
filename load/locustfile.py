"""Locust users for the Lingo backend, driving a target through the suite's own driver.

``locust -f load/ --headless -u 20 -r 10 -t 20s --target-url '<URL printed by python -m reference_impl>'``

User classes, one per area (pick some by name, e.g. ``locust -f load/ Viewer``, or with
``--class-picker`` in the web UI; pick tasks with ``-T grpc|rest|profile|catalog|upload|events``):

- ``Uploader``       Init → bytes through the signed URL → ``catalog.video.created``;
- ``Viewer``         profile reads and writes, over gRPC and REST;
- ``Browser``        GetVideoDetail and ListMyUploads page by page;
- ``EventPipeline``  one user committing at ``--pipeline-rate``, measuring commit → published → projected.

Every call goes through ``steps.driver.Driver``, so the contract checks run under load; an answer
that breaks one is a failure under ``contract:<rule>``. ``--shape ramp|spike|soak`` shapes the load;
``--thresholds`` (``load/thresholds.toml``) decides the exit code. See load/README.md.
"""

# locust must come first: gevent's monkey-patching has to precede grpc, ssl and httpx.
import locust  # isort: skip

from locust import LoadTestShape

from load import _verdict  # noqa: F401 - registers the thresholds hooks
from load._browser import Browser
from load._pipeline import EventPipeline
from load._shapes import SHAPES, _Scaled
from load._uploader import Uploader
from load._viewer import Viewer


class SelectedShape(LoadTestShape):
    """The shape ``--shape`` names (``steady`` by default), over ``-u``, ``-r`` and ``-t``."""

    use_common_options = True

    def __init__(self) -> None:
        super().__init__()
        self._shape: _Scaled | None = None

    def tick(self) -> tuple[int, float] | None:
        """Delegate to the chosen shape, created at the first tick (when the options are known)."""
        if self._shape is None:
            options = self.runner.environment.parsed_options
            self._shape = SHAPES[options.shape](options.num_users or 1, options.spawn_rate or 1.0, options.run_time)
        return self._shape.tick()


__all__ = ["Browser", "EventPipeline", "SelectedShape", "Uploader", "Viewer", "locust"]
