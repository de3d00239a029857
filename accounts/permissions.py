"""The one table of who may do what. Views check it with @requires, templates with `can.`.

An unknown name raises everywhere: in role_can(), when @requires decorates a view (at
import) and when a template asks `can.<name>` (at render).
"""

from __future__ import annotations

from accounts.models import Role

D, M, T = Role.DIRECTOR, Role.MANAGER, Role.TECHNICIAN

PERMISSIONS: dict[str, frozenset[str]] = {
    # accounts
    "accounts.view_home": frozenset({D, M, T}),
    "accounts.manage_branches": frozenset({D}),
    "accounts.manage_staff": frozenset({D}),
    "accounts.view_signins": frozenset({D}),
    "accounts.manage_settings": frozenset({D}),
    # sees and works in every branch of the workshop (others only in their own)
    "accounts.all_branches": frozenset({D}),
    # orders
    "orders.view": frozenset({D, M, T}),
    "orders.create": frozenset({D, M}),
    "orders.edit": frozenset({D, M}),
    "orders.edit_work": frozenset({D, M, T}),
    "orders.transition": frozenset({D, M, T}),
    "orders.delete": frozenset({D}),
    "orders.edit_after_issue": frozenset({D}),
    "clients.view": frozenset({D, M, T}),
    "clients.edit": frozenset({D, M}),
    "clients.delete": frozenset({D}),
    # directories
    "directories.suggest": frozenset({D, M, T}),
    "directories.manage": frozenset({D}),
    # documents: everyone prints and keeps their own templates; the director publishes
    # one as the workshop's default for everybody
    "documents.print": frozenset({D, M, T}),
    "documents.edit_own": frozenset({D, M, T}),
    "documents.publish": frozenset({D}),
    # cash desk (to let a manager do one of the director's rows, add M to its set)
    "cashdesk.view": frozenset({D, M}),  # the shift page, its archive, Z-reports
    # Who sees money. An order's own paid and due, on its card: everyone who may hand it
    # over or take cash for it on site. Money across orders (the Debts list, the Cash
    # desk tab's paid column, a client's debts, the open shift's takings): the desk.
    # Reports and others' payroll are the director's (cashdesk.reports, .payroll).
    "cashdesk.order_money": frozenset({D, M, T}),
    "cashdesk.money_lists": frozenset({D, M}),
    "cashdesk.take_payment": frozenset({D, M}),  # issue and take payment, pay a debt
    "cashdesk.take_prepayment": frozenset({D, M}),
    "cashdesk.issue_with_debt": frozenset({D}),  # issue with part of the bill unpaid
    "cashdesk.refund": frozenset({D}),
    "cashdesk.expense": frozenset({D}),
    "cashdesk.withdraw": frozenset({D}),  # withdrawal and deposit of cash (encashment)
    "cashdesk.reverse": frozenset({D}),  # a correcting entry that reverses another
    "cashdesk.close_shift": frozenset({D}),
    "cashdesk.field_cash": frozenset({D, M, T}),  # cash taken on a call-out, held by oneself
    "cashdesk.hand_in": frozenset({D, M}),  # take a technician's field cash into the drawer
    "cashdesk.field_cash_all": frozenset({D, M}),  # see who holds how much field cash
    # employees' work, salaries, the director's reports and Excel exports
    "cashdesk.work": frozenset({D, M, T}),  # one's own work for a period
    "cashdesk.work_all": frozenset({D}),  # everyone's work
    "cashdesk.payroll": frozenset({D}),  # salary rules, payroll close and payout
    "cashdesk.reports": frozenset({D}),  # revenue, margin, orders; their Excel files
    # warehouse: technicians see availability, managers receive, the director moves stock
    "warehouse.view": frozenset({D, M, T}),  # the stock pages and a product's card
    "warehouse.view_costs": frozenset({D, M}),  # costs, stock values, receipts' totals
    "warehouse.receive": frozenset({D, M}),  # receipts from suppliers
    "warehouse.manage_products": frozenset({D, M}),  # products and low-stock thresholds
    "warehouse.transfer": frozenset({D}),
    "warehouse.write_off": frozenset({D}),  # write-offs and returns to the supplier
    "warehouse.count": frozenset({D}),  # inventory counts
    "warehouse.settings": frozenset({D}),  # allow selling below zero
    # notifications: the director keeps the message map; the front desk sends estimates,
    # renews or revokes an order's status link and retries a failed message
    "notifications.manage": frozenset({D}),
    "notifications.send": frozenset({D, M}),
}


class UnknownPermission(KeyError):
    """A permission name the table does not have: a typo must fail loudly, not hide a button."""


def known(permission: str) -> str:
    """`permission`, if the table has it; UnknownPermission otherwise."""
    if permission not in PERMISSIONS:
        raise UnknownPermission(
            f"Unknown permission {permission!r}; add it to accounts/permissions.py."
        )
    return permission


def role_can(role: str | None, permission: str) -> bool:
    roles = PERMISSIONS[known(permission)]  # checked even with no role: a typo always raises
    return role is not None and role in roles


def roles_with(permission: str) -> frozenset[str]:
    """The roles that have `permission`, for queries: `Q(role__in=roles_with(...))`."""
    return PERMISSIONS[known(permission)]
