from __future__ import annotations

import factory
from django.utils import timezone

from accounts.tests.factories import WorkshopFactory
from directories.models import Entry, Kind


class EntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Entry

    workshop = factory.SubFactory(WorkshopFactory)
    kind = Kind.BRAND
    value = factory.Sequence(lambda n: f"Value {n}")
    use_count = 1
    last_used_at = factory.LazyFunction(timezone.now)
