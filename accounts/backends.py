from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from accounts.models import Membership


class MemberBackend(ModelBackend):
    """E-mail and password sign-in; loads the user together with their memberships.

    Every signed-in request needs both, so one joined query replaces two: the
    tenancy middleware picks the memberships up from the user.
    """

    def get_user(self, user_id):
        memberships = list(
            Membership.objects.active()
            .filter(user_id=user_id)
            .select_related("user", "workshop")
            .order_by("id")
        )
        if not memberships:
            return super().get_user(user_id)
        user = memberships[0].user
        for membership in memberships:
            membership.user = user
        user.active_memberships = memberships
        return user if self.user_can_authenticate(user) else None
