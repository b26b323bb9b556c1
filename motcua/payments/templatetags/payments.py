import uuid

from django import template

from motcua.payments.selectors import payment_summary

register = template.Library()


@register.inclusion_tag("payments/dossier_box.html")
def payment_box(dossier):
    """The fee box on a dossier page: status, amount and the way to the payment page."""
    return {"d": dossier, "payment": payment_summary(dossier)}


@register.inclusion_tag("payments/officer_box.html")
def officer_payment_box(dossier, user):
    """The fee lines on the officer's dossier page, with the form to set a fee at this step."""
    from motcua.dossiers.selectors import actor_roles
    from motcua.payments.services import FEE_SETTER_ROLES

    roles = actor_roles(user=user, dossier=dossier)
    return {
        "d": dossier,
        # One key per rendering of the form: a double click or a resent POST sets the fee once.
        "request_key": uuid.uuid4().hex,
        "payment": payment_summary(dossier),
        "can_set": dossier.is_open and bool(roles & FEE_SETTER_ROLES),
        "cashier": "intake_officer" in roles,
    }


@register.inclusion_tag("payments/fee_quote.html")
def fee_quote(dossier):
    """The amount a draft will owe when sent online, line by line (phí and lệ phí apart)."""
    from motcua.catalog.fees import FeeRuleError
    from motcua.payments.services import dossier_fee_quote

    try:
        quote = dossier_fee_quote(dossier)
    except FeeRuleError:
        quote = None
    return {"quote": quote}
