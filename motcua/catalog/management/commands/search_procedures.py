import json

from django.core.management.base import BaseCommand

from motcua.catalog.selectors import procedure_search


class Command(BaseCommand):
    help = "Tìm thủ tục theo câu hỏi; với --json, dòng cuối là mảng JSON các {code, name, field, score}."

    def add_arguments(self, parser):
        parser.add_argument("query")
        parser.add_argument("--limit", type=int, default=5)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        hits = procedure_search(query=options["query"], limit=options["limit"])
        if options["json"]:
            rows = [{"code": h.code, "name": h.name, "field": h.field, "score": h.score} for h in hits]
            self.stdout.write(json.dumps(rows, ensure_ascii=False))
            return
        if not hits:
            self.stdout.write("Không tìm thấy thủ tục phù hợp.")
        for rank, hit in enumerate(hits, 1):
            self.stdout.write(f"{rank}. {hit.code}  {hit.name}  ({hit.field}, {hit.score:.3f})")
