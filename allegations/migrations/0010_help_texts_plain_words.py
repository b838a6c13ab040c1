# Issue 15 §8: help texts in plain words (their sources are now code comments beside the fields).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('allegations', '0009_restricted_referrals'),
    ]

    operations = [
        migrations.AlterField(
            model_name='case',
            name='feedback_given_on',
            field=models.DateField(blank=True, help_text='Feedback to the child and parents', null=True),
        ),
        migrations.AlterField(
            model_name='historicalcase',
            name='feedback_given_on',
            field=models.DateField(blank=True, help_text='Feedback to the child and parents', null=True),
        ),
        migrations.AlterField(
            model_name='historicalregulatorreferral',
            name='made_by',
            field=models.CharField(help_text='Usually the employer', max_length=150),
        ),
        migrations.AlterField(
            model_name='historicalstrand',
            name='hearing_on',
            field=models.DateField(blank=True, help_text='Disciplinary hearing date', null=True),
        ),
        migrations.AlterField(
            model_name='historicalstrand',
            name='review_on',
            field=models.DateField(blank=True, help_text='Next review date', null=True),
        ),
        migrations.AlterField(
            model_name='regulatorreferral',
            name='made_by',
            field=models.CharField(help_text='Usually the employer', max_length=150),
        ),
        migrations.AlterField(
            model_name='strand',
            name='hearing_on',
            field=models.DateField(blank=True, help_text='Disciplinary hearing date', null=True),
        ),
        migrations.AlterField(
            model_name='strand',
            name='review_on',
            field=models.DateField(blank=True, help_text='Next review date', null=True),
        ),
    ]
