"""Demo workshop: a director, two branches and staff."""

from __future__ import annotations

from accounts.models import Branch, Membership, MembershipBranch, Role, User, Workshop

DEMO_PASSWORD = "demo-workshop-2026"
DEMO_PIN = "1234"
DEMO_WORKSHOP = "Demo Workshop"

STAFF = [
    ("demo@example.com", "Ivan Petrov", Role.DIRECTOR, []),
    ("manager@example.com", "Olga Smirnova", Role.MANAGER, ["Central"]),
    ("tech@example.com", "Sergey Volkov", Role.TECHNICIAN, ["Central", "North"]),
    ("north@example.com", "Anna Kuznetsova", Role.MANAGER, ["North"]),
]
BRANCHES = [
    ("Central", "12 Lenina St."),
    ("North", "5 Severnaya St."),
]


def seed(ctx: dict) -> None:
    workshop, _ = Workshop.objects.get_or_create(name=DEMO_WORKSHOP)
    branches = {}
    for name, address in BRANCHES:
        branches[name], _ = Branch.objects.get_or_create(
            workshop=workshop, name=name, defaults={"address": address}
        )
    for email, full_name, role, branch_names in STAFF:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, DEMO_PASSWORD, full_name=full_name)
        if not user.pin_hash:
            user.set_pin(DEMO_PIN)
            user.save(update_fields=["pin_hash"])
        membership, _ = Membership.objects.get_or_create(
            workshop=workshop, user=user, defaults={"role": role}
        )
        for branch_name in branch_names:
            MembershipBranch.objects.get_or_create(
                workshop=workshop, membership=membership, branch=branches[branch_name]
            )
    ctx.update(workshop=workshop, branches=branches)
    ctx.setdefault("logins", []).append(
        f"director: demo@example.com / {DEMO_PASSWORD} (PIN {DEMO_PIN}); "
        "manager@example.com, tech@example.com, north@example.com: the same password and PIN"
    )
