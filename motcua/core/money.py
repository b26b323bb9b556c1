"""Money as Vietnamese pages write it (STYLE.md §8): `1.250.000 ₫`."""


def format_vnd(amount: int) -> str:
    """1250000 → '1.250.000 ₫' (whole đồng; grouping with dots whatever the language)."""
    return f"{amount:,}".replace(",", ".") + " ₫"
