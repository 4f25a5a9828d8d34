"""Domain events: the outbox, the relay to the broker, and the brokers."""
