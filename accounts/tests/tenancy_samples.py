"""Objects of the victim workshop for the tenancy sweep: invitations and the public links."""

from __future__ import annotations

from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.services import invitation_token, registration_start
from accounts.tests.factories import InvitationFactory

SAMPLES = {
    "invitation_id": lambda v: v.extra["invitation"].pk,
    # Public links of the victim's people: a signed-in outsider gets 403, never the page.
    "invitation_token": lambda v: invitation_token(v.extra["invitation"]),
    "signup_token": lambda v: v.extra["signup_token"],
    "uidb64": lambda v: urlsafe_base64_encode(force_bytes(v.manager.user.pk)),
    "token": lambda v: default_token_generator.make_token(v.manager.user),
}


def build(victim) -> None:
    victim.extra["invitation"] = InvitationFactory(
        workshop=victim.workshop, branches=[victim.branch]
    )
    _template, letter = registration_start(
        email=f"pending-{victim.workshop.pk}@example.com",
        full_name="Pending Person",
        workshop_name="Victim Two",
        password="a long enough passphrase",
    )
    victim.extra["pending_user"] = letter["user"]
    victim.extra["signup_token"] = letter["token"]
