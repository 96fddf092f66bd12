"""GCS tests use the stand-in fixtures from ``fixtures.gcs.plugin`` (imported by name here, so this
folder works whether or not the root conftest registers the plugin)."""

from fixtures.gcs.plugin import gcs_credentials, gcs_service_account, gcs_signer, gcs_standin  # noqa: F401
