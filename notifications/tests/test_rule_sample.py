"""The message editor's sample order: what a preview fills the variables with."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_rule_preview_sample_owes_the_rest_after_a_prepayment(director_client):
    """The sample is not paid in full, so "[[ amount due {order.due}]]" previews a sum."""
    response = director_client.post(
        reverse("notifications:rule_preview"),
        {"event": "ready", "channel": "sms", "body": "Due {order.due}, paid {order.paid}"},
    )
    page = response.content.decode()
    assert "Due 3,700.00, paid 1,000.00" in page or "Due 3700.00, paid 1000.00" in page
