"""A throwaway model for testing MoneyField against a real table."""

from django.db import models

from workshop.lib.money import MoneyField


class MoneyProbe(models.Model):
    amount = MoneyField()

    class Meta:
        app_label = "workshop"
        db_table = "test_money_probe"

    def __str__(self) -> str:
        return str(self.amount)
