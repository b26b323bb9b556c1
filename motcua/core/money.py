"""Money as Vietnamese pages write it (STYLE.md §8): `1.250.000 ₫`."""


def group_digits(number: int) -> str:
    """10000000000 → '10.000.000.000': thousands grouped with dots, as Vietnamese text writes numbers."""
    return f"{number:,}".replace(",", ".")


def format_vnd(amount: int) -> str:
    """1250000 → '1.250.000 ₫' (whole đồng; grouping with dots whatever the language)."""
    return group_digits(amount) + " ₫"
