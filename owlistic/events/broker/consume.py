"""A subscription that outlives broker outages: the loop every long-running consumer runs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from owlistic.events.broker.base import Broker, BrokerUnavailable, Message

RESUBSCRIBE_SECONDS = 1.0


async def consume_forever(
    broker: Broker,
    topics: list[str],
    deliver: Callable[[Message], None],
    *,
    ready: asyncio.Event,
    name: str,
    log: logging.Logger,
) -> None:
    """Subscribe, hand every message to ``deliver``, and subscribe again whenever the broker
    goes away or ``deliver`` raises; ``ready`` is set once the first subscription stands."""
    failures = 0
    while True:
        try:
            subscription = await broker.subscribe(topics)
        except BrokerUnavailable as exc:
            failures += 1
            if failures == 1:  # once per outage, not once a second
                log.warning("%s cannot subscribe yet, retrying: %s", name, exc)
            await asyncio.sleep(RESUBSCRIBE_SECONDS)
            continue
        if failures:
            log.info("%s subscribed", name)
        failures = 0
        ready.set()
        try:
            async for message in subscription:
                deliver(message)
        except BrokerUnavailable as exc:
            log.warning("%s lost the broker, resubscribing: %s", name, exc)
        except Exception:
            # A bug must not stop delivery for good.
            log.exception("%s failed, resubscribing", name)
        finally:
            await subscription.close()
        await asyncio.sleep(RESUBSCRIBE_SECONDS)
