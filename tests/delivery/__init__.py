"""Tests of the delivery package: the queue, the outbox and the token bucket."""
