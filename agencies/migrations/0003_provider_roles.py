# Provider concerns (001): the director and adults' safeguarding manager roles, and the prompt's settings.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('agencies', '0002_partnership_span_units'),
    ]

    operations = [
        migrations.AlterField(
            model_name='historicalmembership',
            name='role',
            field=models.CharField(choices=[('lado_officer', 'LADO / PiPoT officer'), ('lado_manager', 'LADO service manager'), ('senior_manager', 'Agency senior manager'), ('agency_viewer', 'Agency viewer'), ('chair', 'Meeting chair'), ('minute_taker', 'Minute taker'), ('participant', 'Agency participant'), ('analyst', 'Business unit analyst'), ('administrator', 'Partnership administrator'), ('director', 'Director or assistant director (adult services)'), ('adult_safeguarding_manager', "Adults' safeguarding manager")], max_length=32),
        ),
        migrations.AlterField(
            model_name='membership',
            name='role',
            field=models.CharField(choices=[('lado_officer', 'LADO / PiPoT officer'), ('lado_manager', 'LADO service manager'), ('senior_manager', 'Agency senior manager'), ('agency_viewer', 'Agency viewer'), ('chair', 'Meeting chair'), ('minute_taker', 'Minute taker'), ('participant', 'Agency participant'), ('analyst', 'Business unit analyst'), ('administrator', 'Partnership administrator'), ('director', 'Director or assistant director (adult services)'), ('adult_safeguarding_manager', "Adults' safeguarding manager")], max_length=32),
        ),
        migrations.AddField(
            model_name='historicalpartnership',
            name='provider_prompt_referrals',
            field=models.PositiveSmallIntegerField(default=3),
        ),
        migrations.AddField(
            model_name='historicalpartnership',
            name='provider_prompt_cluster',
            field=models.PositiveSmallIntegerField(default=2),
        ),
        migrations.AddField(
            model_name='historicalpartnership',
            name='provider_prompt_cluster_days',
            field=models.PositiveSmallIntegerField(default=28),
        ),
        migrations.AddField(
            model_name='partnership',
            name='provider_prompt_referrals',
            field=models.PositiveSmallIntegerField(default=3),
        ),
        migrations.AddField(
            model_name='partnership',
            name='provider_prompt_cluster',
            field=models.PositiveSmallIntegerField(default=2),
        ),
        migrations.AddField(
            model_name='partnership',
            name='provider_prompt_cluster_days',
            field=models.PositiveSmallIntegerField(default=28),
        ),
    ]
