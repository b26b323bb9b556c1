from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from motcua.catalog.importer import SHIPPED_FILE, CatalogImportError, catalog_import


class Command(BaseCommand):
    help = "Nạp danh mục thủ tục từ tệp JSON (mặc định: danh mục đi kèm). Có lỗi thì không ghi gì và liệt kê mọi lỗi."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default=str(SHIPPED_FILE))
        parser.add_argument("--quiet-progress", action="store_true")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"Không tìm thấy tệp {path}")
        text = path.read_text(encoding="utf-8")
        try:
            import json

            total = len(json.loads(text).get("procedures", []))
        except Exception:
            total = None
        with tqdm(total=total, unit=" thủ tục", disable=options["quiet_progress"], file=self.stderr) as bar:
            try:
                report = catalog_import(text, progress=bar.update)
            except CatalogImportError as exc:
                for problem in exc.problems:
                    self.stderr.write(f"  - {problem}")
                raise CommandError(
                    f"Tệp {path.name} có {len(exc.problems)} lỗi; chưa nạp gì. Sửa các lỗi trên rồi chạy lại."
                ) from exc
        self.stdout.write(
            f"Đã nạp danh mục: {report.created} thủ tục mới, {report.new_versions} phiên bản mới, "
            f"{report.unchanged} không đổi, {report.fields} lĩnh vực."
        )
