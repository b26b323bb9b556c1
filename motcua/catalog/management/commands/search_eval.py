import json
from pathlib import Path

from django.core.management.base import BaseCommand

from motcua.catalog.selectors import procedure_search

QUERIES = Path(__file__).resolve().parents[2] / "data" / "search_queries.json"


class Command(BaseCommand):
    help = "Đo độ chính xác tìm kiếm trên bộ câu hỏi có nhãn: tỷ lệ đúng ở vị trí 1 và trong 3 kết quả đầu."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(QUERIES))
        parser.add_argument("--show-misses", action="store_true")

    def handle(self, *args, **options):
        data = json.loads(Path(options["file"]).read_text(encoding="utf-8"))
        self._report("Bộ chính", data["queries"], options["show_misses"])
        if data.get("holdout"):
            self._report("Bộ để riêng (không dùng để chỉnh)", data["holdout"], options["show_misses"])

    def _report(self, title, queries, show_misses):
        top1 = top3 = 0
        misses = []
        for item in queries:
            codes = [h.code for h in procedure_search(query=item["q"], limit=3)]
            top1 += bool(codes) and codes[0] == item["expected"]
            top3 += item["expected"] in codes
            if not codes or codes[0] != item["expected"]:
                misses.append((item["q"], item["expected"], codes))
        n = len(queries)
        if show_misses:
            for q, expected, got in misses:
                self.stdout.write(f"  {q!r}: cần {expected}, được {got}")
        self.stdout.write(
            f"{title}: {n} câu hỏi: top-1 {top1}/{n} = {100 * top1 / n:.1f}%, top-3 {top3}/{n} = {100 * top3 / n:.1f}%"
        )
