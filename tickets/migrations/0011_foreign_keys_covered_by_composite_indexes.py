"""Foreign keys whose lookups a composite index already serves lose their own index
(every ticket, event and clock write maintained it for nothing). Only the index is
dropped: the constraints stay as they are (no re-validation of the tables)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0004_security_events'),
        ('tickets', '0010_dashboard_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='ticket',
                    name='assignee',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='assigned_tickets', to=settings.AUTH_USER_MODEL, verbose_name='assignee'),
                ),
                migrations.AlterField(
                    model_name='ticket',
                    name='organisation',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='tickets', to='accounts.organisation', verbose_name='organisation'),
                ),
                migrations.AlterField(
                    model_name='ticket',
                    name='requester',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='requested_tickets', to=settings.AUTH_USER_MODEL, verbose_name='requester'),
                ),
                migrations.AlterField(
                    model_name='ticketevent',
                    name='ticket',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='events', to='tickets.ticket'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    "DROP INDEX IF EXISTS tickets_ticket_assignee_id_3a5aa407",
                    reverse_sql="CREATE INDEX tickets_ticket_assignee_id_3a5aa407 ON tickets_ticket (assignee_id)",
                ),
                migrations.RunSQL(
                    "DROP INDEX IF EXISTS tickets_ticket_organisation_id_46625674",
                    reverse_sql="CREATE INDEX tickets_ticket_organisation_id_46625674 ON tickets_ticket (organisation_id)",
                ),
                migrations.RunSQL(
                    "DROP INDEX IF EXISTS tickets_ticket_requester_id_2072a2f2",
                    reverse_sql="CREATE INDEX tickets_ticket_requester_id_2072a2f2 ON tickets_ticket (requester_id)",
                ),
                migrations.RunSQL(
                    "DROP INDEX IF EXISTS tickets_ticketevent_ticket_id_b572d14b",
                    reverse_sql="CREATE INDEX tickets_ticketevent_ticket_id_b572d14b ON tickets_ticketevent (ticket_id)",
                ),
            ],
        ),
    ]
