"""Writes of the SLA engine. Import the functions from their modules."""
