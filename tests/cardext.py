"""A test-only app that plugs into the order card the way the cash desk and documents do.

It is registered by the `card_extension` fixture of orders/tests/test_extensions.py, never
in settings: it proves the extension points, not a feature.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.template import engines

from orders import extensions
from orders.workflow import Kind, Status, Tab, register_guard, unregister_guard

_engine = engines["django"]
HEAD = _engine.from_string(
    '<a class="btn" id="ext-head" href="#">Ext action for №{{ order.number }}</a>'
)
SIDE = _engine.from_string('<section id="ext-side">Ext panel: {{ message }}</section>')
FIELD = _engine.from_string('<a id="ext-print" href="#">Print the report ({{ diagnosis }})</a>')


def _side(order, request):
    return {"message": "paid nothing yet"}


def _after_diagnosis(order, request):
    # Shown only once the field that enables it is filled, like a document's button.
    return {"diagnosis": order.diagnosis} if order.diagnosis else None


def _refuse_issue(order, to, by):
    return "Take the payment first." if order.problem != "free" else None


def register() -> None:
    extensions.register_card_slot(
        "cardext.head", position=extensions.HEAD, template=HEAD, context=lambda o, r: {}
    )
    extensions.register_card_slot(
        "cardext.side",
        position=extensions.SIDE,
        template=SIDE,
        context=_side,
        permission="orders.edit",
    )
    extensions.register_card_slot(
        "cardext.after_diagnosis",
        position=extensions.field("diagnosis"),
        template=FIELD,
        context=_after_diagnosis,
    )
    register_guard(Status.ISSUED, _refuse_issue)


def unregister() -> None:
    for name in ("cardext.head", "cardext.side", "cardext.after_diagnosis"):
        extensions.unregister_card_slot(name)
    unregister_guard(Status.ISSUED, _refuse_issue)


# ------------------------------------------------------------ the other extension points

CLIENT = _engine.from_string(
    '<section id="ext-client">Ext client panel for {{ client.name }}</section>'
)
STEP = _engine.from_string(
    '<div id="ext-step">{% for f in form %}<label for="{{ f.id_for_label }}">{{ f.label }}</label>'
    "{{ f }}{{ f.errors }}{% endfor %}</div>"
)


class StepForm(forms.Form):
    deposit = forms.IntegerField(required=False, min_value=0)

    def __init__(self, data=None, *, prefix, request, kind):
        super().__init__(data, prefix=prefix)


saved_steps: list = []


def _save_step(*, order, form, by):
    if form.cleaned_data["deposit"] == 13:
        raise ValidationError({"deposit": "Unlucky deposit."})
    saved_steps.append((order.number, form.cleaned_data["deposit"]))


def _work_values(request, orders):
    return {o.pk: f"x{o.number}" for o in orders}


def register_more() -> None:
    extensions.register_client_slot("cardext.client", template=CLIENT, context=lambda c, r: {})
    extensions.register_work_column(
        "cardext.col", label="Ext column", values=_work_values, tabs={Tab.QUEUE}
    )
    extensions.register_intake_step(
        "cardext.step",
        kinds={Kind.REPAIR},
        form_class=StepForm,
        template=STEP,
        save=_save_step,
    )


def unregister_more() -> None:
    extensions.unregister_client_slot("cardext.client")
    extensions.unregister_work_column("cardext.col")
    extensions.unregister_intake_step("cardext.step")
    saved_steps.clear()
