"""The Kafka adapter picks partitions itself (it hands whole batches to the producer):
it must pick exactly what aiokafka's default partitioner (and the Java client's) would,
or one note's events could land on two partitions and lose their order."""

from __future__ import annotations

import uuid

from aiokafka.partitioner import DefaultPartitioner

from owlistic.events.broker.kafka import partition_for


def test_partition_for_matches_the_default_partitioner() -> None:
    keys = [str(uuid.UUID(int=i * 7919)).encode() for i in range(300)] + [b"n1", b"x" * 70]
    for count in (1, 2, 3, 7, 12):
        ids = list(range(count))
        for key in keys:
            assert partition_for(key, ids) == DefaultPartitioner()(key, ids, ids)
