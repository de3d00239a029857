from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CashdeskConfig(AppConfig):
    name = "cashdesk"
    verbose_name = _("Cash desk")

    def ready(self) -> None:
        # Orders never imports the cash desk: it plugs into the order's journal, card,
        # client card, Work list, "+" forms and the move to "issued" from here.
        from cashdesk import integrations, journal, payroll
        from orders import extensions

        journal.register()
        integrations.register()
        extensions.register_move_hook("cashdesk.earnings", payroll.order_moved)
