"""The compact reference implementation of the Lingo backend that satisfies every scenario.

Layered like cosmicpython: ``domain`` (rules, no I/O), ``service_layer`` (use cases and the unit of
work), ``adapters`` (Postgres, Pub/Sub, GCS), ``entrypoints`` (gRPC, REST, relays, consumers) and
``bootstrap`` (the one place that wires them). Run it with ``python -m reference_impl``.
"""
