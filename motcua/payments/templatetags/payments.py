from django import template

from motcua.payments.selectors import payment_summary

register = template.Library()


@register.inclusion_tag("payments/dossier_box.html")
def payment_box(dossier):
    """The fee box on a dossier page: status, amount and the way to the payment page."""
    return {"d": dossier, "payment": payment_summary(dossier)}
