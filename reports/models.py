"""Daily rollups of the dashboard's period figures: derived rows, rebuilt from the raw ones.

One row is one number (`value`) of one metric for one local day in one time zone and one
organisation, split by the few dimensions the dashboard groups by. Days are those of a zone
(the site's and each manager's, see reports.services.rollup_zones) because a manager's day
starts at their own midnight. `organisation_id` 0 holds the sum over all organisations (the
unfiltered dashboard reads one row per figure and day); NULL is the tickets without one. Ids
are plain integers, not foreign keys: the rows are derived data
(`reports.services.rollups_rebuild` recreates them), so deleting a user or an organisation
must not cascade into figures nor be blocked by them.
"""

from __future__ import annotations

from django.db import models

ALL_ORGANISATIONS = 0


class Metric(models.TextChoices):
    # Response clocks by the day they started, split by tier: counted, met on time, breached.
    TIER_CLOCKS = "tier_clocks"
    TIER_MET = "tier_met"
    TIER_BREACHED = "tier_breached"
    # Every clock by the day it started, split by the ticket's priority.
    CLOCKS = "clocks"
    MET = "met"
    BREACHED = "breached"
    # Response clocks by the day they started, split by tier: real answers (and their
    # durations in buckets: count and sum of seconds), breaches nobody answered.
    RESPONSES = "responses"
    ANSWER_COUNT = "answer_n"
    ANSWER_SECONDS = "answer_s"
    UNANSWERED = "unanswered"
    # By the day a clock breached.
    BREACHES = "breaches"
    # By the day of the history entry / escalation record, split by tier (escalated: from).
    ENTERED = "entered"
    ESCALATED = "escalated"
    # Rated tickets by the day they were resolved, split by tier, and by technician.
    RATINGS = "ratings"
    RATING_SUM = "rating_sum"
    SATISFIED = "satisfied"
    TECH_RATINGS = "tech_ratings"
    TECH_RATING_SUM = "tech_rating_sum"
    TECH_SATISFIED = "tech_satisfied"


class Rollup(models.Model):
    zone = models.CharField(max_length=64)
    day = models.DateField()
    organisation_id = models.IntegerField(null=True)
    metric = models.CharField(max_length=16, choices=Metric.choices)
    tier = models.CharField(max_length=2, blank=True, default="")
    priority = models.CharField(max_length=2, blank=True, default="")
    technician_id = models.IntegerField(null=True)
    bucket = models.PositiveSmallIntegerField(default=0)
    value = models.FloatField()

    class Meta:
        indexes = [
            models.Index(fields=["zone", "organisation_id", "day"], name="rollup_zone_org_day"),
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.zone} {self.day} = {self.value}"


class RollupState(models.Model):
    """Per zone: the rollups hold exactly the instants from the start of local day
    `covered_from` up to `covered_to` (the last day's rows are that day so far)."""

    zone = models.CharField(max_length=64, unique=True)
    covered_from = models.DateField()
    covered_to = models.DateTimeField()
    refreshed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"rollups {self.zone} {self.covered_from} – {self.covered_to}"


class ActiveCount(models.Model):
    """The active tickets counted, kept exact by database triggers on the ticket table.

    Every statement that inserts, updates, deletes (or truncates) ticket rows adds, in its
    own transaction, the change of these counts as rows of +n / −n (reports.counts has the
    triggers' definition); the backlog and workload figures are the sums of the rows.
    Writers only append rows, so concurrent changes never wait on one another here; the
    rollup refresh folds the rows into one per key (`reports.counts.active_counts_fold`).

    Two kinds of rows, each for one organisation and for all of them (`organisation_id`
    0, as in the rollups; NULL is the tickets without one):
    - backlog: per tier and the UTC hour the ticket was created (NULL once folded: more
      than eight days ago, always "over 7 days" from then on);
    - workload: per assignee and whether the ticket's SLA is breached.
    """

    class Kind(models.TextChoices):
        BACKLOG = "backlog"
        WORKLOAD = "workload"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    organisation_id = models.IntegerField(null=True)
    tier = models.CharField(max_length=2, blank=True, default="")
    created_hour = models.DateTimeField(null=True)
    assignee_id = models.IntegerField(null=True)
    breached = models.BooleanField(default=False)
    n = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["organisation_id", "kind"], name="activecount_org_kind")]

    def __str__(self) -> str:
        return f"{self.kind} {self.organisation_id} {self.tier or self.assignee_id} = {self.n}"
