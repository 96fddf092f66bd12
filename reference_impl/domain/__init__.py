"""domain layer of the reference service (see reference_impl/README.md)."""
