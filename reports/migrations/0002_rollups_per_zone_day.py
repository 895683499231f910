# The hourly UTC rollups became daily rows per time zone: the rows are derived data, so the
# tables are recreated (run `manage.py rollups_rebuild` or wait for the next refresh).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [
        migrations.DeleteModel(name="Rollup"),
        migrations.DeleteModel(name="RollupState"),
        migrations.CreateModel(
            name='RollupState',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('zone', models.CharField(max_length=64, unique=True)),
                ('covered_from', models.DateField()),
                ('covered_to', models.DateTimeField()),
                ('refreshed_at', models.DateTimeField()),
            ],
        ),
        migrations.CreateModel(
            name='Rollup',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('zone', models.CharField(max_length=64)),
                ('day', models.DateField()),
                ('organisation_id', models.IntegerField(null=True)),
                ('metric', models.CharField(choices=[('tier_clocks', 'Tier Clocks'), ('tier_met', 'Tier Met'), ('tier_breached', 'Tier Breached'), ('clocks', 'Clocks'), ('met', 'Met'), ('breached', 'Breached'), ('responses', 'Responses'), ('answer_n', 'Answer Count'), ('answer_s', 'Answer Seconds'), ('unanswered', 'Unanswered'), ('breaches', 'Breaches'), ('entered', 'Entered'), ('escalated', 'Escalated'), ('ratings', 'Ratings'), ('rating_sum', 'Rating Sum'), ('satisfied', 'Satisfied'), ('tech_ratings', 'Tech Ratings'), ('tech_rating_sum', 'Tech Rating Sum'), ('tech_satisfied', 'Tech Satisfied')], max_length=16)),
                ('tier', models.CharField(blank=True, default='', max_length=2)),
                ('priority', models.CharField(blank=True, default='', max_length=2)),
                ('technician_id', models.IntegerField(null=True)),
                ('bucket', models.PositiveSmallIntegerField(default=0)),
                ('value', models.FloatField()),
            ],
            options={
                'indexes': [models.Index(fields=['zone', 'organisation_id', 'day'], name='rollup_zone_org_day')],
            },
        ),
    ]
