"""Adapters: the reference service's edges to Postgres, Pub/Sub and Cloud Storage (built in bootstrap, never at import)."""
