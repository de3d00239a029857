from __future__ import annotations

import pytest

from orders import services
from orders.workflow import Kind


@pytest.fixture(autouse=True)
def _english(settings):
    # Assertions compare with the English source strings.
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def repair_order(workshop, branch, manager):
    """A repair accepted through the service, as the front desk would."""
    return services.order_create(
        workshop=workshop,
        branch=branch,
        kind=Kind.REPAIR,
        by=manager,
        client_data={"phone": "8 912 345-67-89", "name": "Иван Петров"},
        device_data={"device_type": "Ноутбук", "brand": "Lenovo", "model": "IdeaPad 5"},
        order_data={"problem": "Не включается"},
    )
