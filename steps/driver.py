"""The driver: the only code that speaks gRPC, HTTP, Pub/Sub or storage to a target.

Steps call one driver method per sentence and get back an ``Outcome`` that reads the same whichever
surface answered: a status name (``OK``, ``INVALID_ARGUMENT`` …), the ``ErrorInfo`` reason, the
field violations and the response. ``Driver`` is the plumbing of ``steps/driver_base.py`` plus one
mixin per area (``steps/<area>_driver.py``).
"""

from steps.broker_driver import BrokerCalls
from steps.catalog_driver import CatalogCalls
from steps.driver_base import DriverBase, Identity, Outcome, encode_claims
from steps.outbox_driver import OutboxCalls
from steps.profile_driver import ProfileCalls
from steps.upload_driver import UploadCalls


class Driver(OutboxCalls, ProfileCalls, UploadCalls, CatalogCalls, BrokerCalls, DriverBase):
    """Every action the suite can take on a target."""


__all__ = ["Driver", "Identity", "Outcome", "encode_claims"]
