"""Demo workshop: a director, two branches and staff."""

from __future__ import annotations

from accounts.models import Branch, Membership, MembershipBranch, Role, User, Workshop

DEMO_PASSWORD = "demo-workshop-2026"
DEMO_PIN = "1234"
# The users are Russian-speaking workshops, so the demo speaks Russian too.
DEMO_WORKSHOP = "Сервис-центр «Демо»"

STAFF = [
    ("demo@example.com", "Иван Петров", Role.DIRECTOR, []),
    ("manager@example.com", "Ольга Смирнова", Role.MANAGER, ["Central"]),
    ("tech@example.com", "Сергей Волков", Role.TECHNICIAN, ["Central", "North"]),
    ("north@example.com", "Анна Кузнецова", Role.MANAGER, ["North"]),
]
# key (used by other apps' demo data) -> name, address
BRANCHES = {
    "Central": ("Центральный", "ул. Ленина, 12"),
    "North": ("Северный", "ул. Северная, 5"),
}


def seed(ctx: dict) -> None:
    workshop, _ = Workshop.objects.get_or_create(name=DEMO_WORKSHOP)
    branches = {}
    for key, (name, address) in BRANCHES.items():
        branches[key], _ = Branch.objects.get_or_create(
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
        if role == Role.DIRECTOR and membership.last_branch_id is None:
            # The director works at the central branch; the "+" forms start there.
            membership.remember_branch(branches["Central"])
    ctx.update(workshop=workshop, branches=branches)
    ctx.setdefault("logins", []).append(
        f"director: demo@example.com / {DEMO_PASSWORD} (PIN {DEMO_PIN}); "
        "manager@example.com, tech@example.com, north@example.com: the same password and PIN"
    )
