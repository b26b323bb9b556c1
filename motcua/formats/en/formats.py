# The English interface keeps Vietnamese conventions: dates dd/mm/yyyy, 24-hour clock, "1.250.000 ₫".
from motcua.formats.vi.formats import *  # noqa: F403
