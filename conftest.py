"""Root conftest: loads the suite's plugins for both `pytest features/` and `pytest tests/`."""

pytest_plugins = [
    "fixtures.postgres",
    "fixtures.pubsub.plugin",
    "steps.plugin",
    "steps.results",
    "steps.interrupt",
    "steps.common",
    "steps.upload",
    "steps.catalog",
    "steps.outbox",
    "steps.projection",
    "steps.profile",
]
