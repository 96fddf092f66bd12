"""Root conftest: loads the suite's plugins for both `pytest features/` and `pytest tests/`."""

pytest_plugins = [
    "fixtures.postgres",
    "fixtures.pubsub.plugin",
    "steps.plugin",
    "steps.step_index",
    "steps.results",
    "steps.interrupt",
    "steps.common",
    "steps.failed_writes",
    "steps.upload",
    "steps.catalog",
    "steps.catalog_access",
    "steps.catalog_lists",
    "steps.catalog_writes",
    "steps.outbox",
    "steps.projection",
    "steps.profile",
]
