"""Objects of the victim workshop for the tenancy sweep: invitations and the public links."""

from __future__ import annotations

from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.services import invitation_token, signup_token
from accounts.tests.factories import InvitationFactory, UserFactory

SAMPLES = {
    "invitation_id": lambda v: v.extra["invitation"].pk,
    # Public links of the victim's people: a signed-in outsider gets 403, never the page.
    "invitation_token": lambda v: invitation_token(v.extra["invitation"]),
    "signup_token": lambda v: signup_token(
        user=v.extra["pending_user"], workshop_name="Victim Two"
    ),
    "uidb64": lambda v: urlsafe_base64_encode(force_bytes(v.manager.user.pk)),
    "token": lambda v: default_token_generator.make_token(v.manager.user),
}


def build(victim) -> None:
    victim.extra["invitation"] = InvitationFactory(
        workshop=victim.workshop, branches=[victim.branch]
    )
    victim.extra["pending_user"] = UserFactory(is_active=False, is_pending=True)
