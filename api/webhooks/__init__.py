"""Webhook outbox: rows written with the change, sent later by a worker, signed per hook."""
