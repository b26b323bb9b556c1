import json

from django.core.management.base import BaseCommand

from motcua.catalog.importer import catalog_export


class Command(BaseCommand):
    help = "Xuất danh mục thủ tục hiện hành ra JSON (cùng định dạng với tệp nạp)."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="ghi ra tệp thay vì màn hình")

    def handle(self, *args, **options):
        text = json.dumps(catalog_export(), ensure_ascii=False, indent=1)
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
            self.stdout.write(f"Đã ghi {options['output']}")
        else:
            self.stdout.write(text)
