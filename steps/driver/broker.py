"""Driver calls on the target's broker itself: fault controls and subscription counters.

Only our Pub/Sub stand-in has these (capability ``faults``); the address comes from the target's
``faults_url``. A scenario that sets a fault clears it when it ends (``clear_faults``).
"""

from __future__ import annotations

from fixtures.pubsub.admin import PubsubAdmin
from steps.driver.checks import ContractViolation
from steps.driver.base import DriverBase


class BrokerCalls(DriverBase):
    """Fault controls of the broker stand-in; mixed into ``Driver``."""

    def broker_admin(self) -> PubsubAdmin:
        """The stand-in's admin client."""
        if not self.target.faults_url:
            msg = f"target {self.target.name!r} offers no broker fault controls; tag the scenario @needs_faults"
            raise ContractViolation("driver", "no fault controls", msg)
        return PubsubAdmin(self.target.faults_url)

    def duplicate_deliveries(self, subscription: str, copies: int) -> None:
        """Deliver every message published from now on ``copies`` times on ``subscription``."""
        self.broker_admin().faults.duplicate_deliveries(subscription=self._subscription_path(subscription), copies=copies)

    def clear_faults(self) -> None:
        """Remove every fault rule."""
        self.broker_admin().faults.clear()

    def subscription_counters(self, subscription: str) -> dict[str, int]:
        """Backlog, outstanding and lifetime delivered/acked/nacked/dead-lettered of ``subscription``."""
        stats = self.broker_admin().subscription_stats(self._subscription_path(subscription))
        return {k: v for k, v in stats.items() if isinstance(v, int) and not isinstance(v, bool)}

    def _subscription_path(self, subscription: str) -> str:
        return f"projects/{self.target.pubsub_project}/subscriptions/{subscription}"
