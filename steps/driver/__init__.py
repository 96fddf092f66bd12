"""The driver: the only code that speaks gRPC, HTTP, Pub/Sub or storage to a target.

Steps call one driver method per sentence and get back an ``Outcome`` that reads the same whichever
surface answered: a status name (``OK``, ``INVALID_ARGUMENT`` …), the ``ErrorInfo`` reason, the
field violations and the response.

Imports run one way, bottom to top:

- ``outcome``  ``Identity`` and ``Outcome``, the types every other module speaks;
- ``checks``   the cross-cutting contract checks run on every outcome;
- ``events``   the Pub/Sub observer (own subscriptions on the target's output topics);
- ``base``     ``DriverBase``: channels, the HTTP client and the observer of one target;
- ``upload``, ``catalog``, ``profile``, ``broker``, ``outbox``: one mixin per area, each naming the
  surface (gRPC, REST, Pub/Sub, storage, database) it uses;
- this module assembles them into ``Driver``.
"""

from steps.driver.base import DriverBase
from steps.driver.broker import BrokerCalls
from steps.driver.catalog import CatalogCalls
from steps.driver.checks import ContractViolation
from steps.driver.outbox import OutboxCalls
from steps.driver.outcome import Identity, Outcome, encode_claims
from steps.driver.profile import ProfileCalls
from steps.driver.upload import UploadCalls


class Driver(OutboxCalls, ProfileCalls, UploadCalls, CatalogCalls, BrokerCalls, DriverBase):
    """Every action the suite can take on a target."""


__all__ = ["ContractViolation", "Driver", "Identity", "Outcome", "encode_claims"]
