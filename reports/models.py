"""Hourly rollups of the dashboard's period figures: derived rows, rebuilt from the raw ones.

One row is one number (`value`) of one metric for one UTC hour and one organisation, split by
the few dimensions the dashboard groups by. Hours, not days: a manager's day starts at their
own midnight (the profile's time zone), and every whole-hour zone's day is a run of UTC hours,
so one set of rows serves every reader. Ids are plain integers, not foreign keys: the rows
are derived data (`reports.services.rollups_rebuild` recreates them), so deleting a user or
an organisation must not cascade into figures nor be blocked by them.
"""

from __future__ import annotations

from django.db import models


class Metric(models.TextChoices):
    # By the hour a clock started; split by kind, tier (response clocks) and priority.
    CLOCKS = "clocks"
    MET = "met"
    BREACHED = "breached"
    # Response clocks by the hour they started, split by tier: real answers (and their
    # durations in buckets: count and sum of seconds), breaches nobody answered.
    RESPONSES = "responses"
    ANSWER_COUNT = "answer_n"
    ANSWER_SECONDS = "answer_s"
    UNANSWERED = "unanswered"
    # By the hour a clock breached.
    BREACHES = "breaches"
    # By the hour of the history entry / escalation record, split by tier (escalated: from).
    ENTERED = "entered"
    ESCALATED = "escalated"
    # Rated tickets by the hour they were resolved, split by tier and technician (assignee).
    RATINGS = "ratings"
    RATING_SUM = "rating_sum"
    SATISFIED = "satisfied"


class Rollup(models.Model):
    hour = models.DateTimeField()
    organisation_id = models.IntegerField(null=True)
    metric = models.CharField(max_length=12, choices=Metric.choices)
    kind = models.CharField(max_length=16, blank=True, default="")
    tier = models.CharField(max_length=2, blank=True, default="")
    priority = models.CharField(max_length=2, blank=True, default="")
    technician_id = models.IntegerField(null=True)
    bucket = models.PositiveSmallIntegerField(default=0)
    value = models.FloatField()

    class Meta:
        indexes = [
            models.Index(fields=["hour"], name="rollup_hour"),
            models.Index(fields=["organisation_id", "hour"], name="rollup_org_hour"),
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.hour:%Y-%m-%d %H}h = {self.value}"


class RollupState(models.Model):
    """One row: the rollups hold exactly the hours in [covered_from, covered_to)."""

    covered_from = models.DateTimeField(null=True)
    covered_to = models.DateTimeField(null=True)
    refreshed_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"rollups {self.covered_from} – {self.covered_to}"
