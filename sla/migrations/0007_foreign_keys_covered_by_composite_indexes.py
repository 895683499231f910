"""Foreign keys whose lookups a composite index already serves lose their own index
(every ticket, event and clock write maintained it for nothing). Only the index is
dropped: the constraints stay as they are (no re-validation of the tables)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('sla', '0006_next_response_targets'),
        ('tickets', '0007_participation'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='clock',
                    name='ticket',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='clocks', to='tickets.ticket'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    "DROP INDEX IF EXISTS sla_clock_ticket_id_0a036dca",
                    reverse_sql="CREATE INDEX sla_clock_ticket_id_0a036dca ON sla_clock (ticket_id)",
                ),
            ],
        ),
    ]
