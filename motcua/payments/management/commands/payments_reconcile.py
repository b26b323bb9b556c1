"""python manage.py payments_reconcile STATEMENT.csv [--office CODE] [--differences OUT.csv]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from motcua.core.exports import csv_bytes
from motcua.payments.models import ReconciliationRun
from motcua.payments.reconciliation import DIFF_HEADER, KIND_LABELS, KINDS, StatementError, read_statement, reconcile
from motcua.places.models import Office


class Command(BaseCommand):
    help = "Đối soát sao kê ngân hàng (CSV) với các khoản đã ghi nhận; in số dòng mỗi loại, ghi CSV chênh lệch."

    def add_arguments(self, parser):
        parser.add_argument("statement", help="tệp sao kê CSV (docs/payments.md)")
        parser.add_argument("--office", help="mã cơ quan (Office.code) chủ tài khoản; mặc định mọi cơ quan")
        parser.add_argument("--differences", help="ghi các dòng chênh lệch ra tệp CSV này")

    def handle(self, *args, **options):
        path = Path(options["statement"])
        if not path.is_file():
            raise CommandError(f"Không có tệp {path}")
        office = None
        if options.get("office"):
            office = Office.objects.filter(code=options["office"]).first()
            if office is None:
                raise CommandError(f"Không có cơ quan mã {options['office']}")
        text = path.read_text(encoding="utf-8-sig")
        try:
            lines = read_statement(text)
        except StatementError as exc:
            raise CommandError(f"Sao kê không đọc được: {exc}") from exc
        bar = tqdm(total=len(lines), unit="dòng", disable=options["verbosity"] == 0, file=self.stderr._out)

        def progress(done, total):
            bar.update(done - bar.n)

        result = reconcile(lines, office_id=office.pk if office else None, progress=progress)
        bar.close()
        ReconciliationRun.objects.create(
            office=office,
            file_name=path.name[:200],
            statement=text,
            status=ReconciliationRun.Status.DONE,
            total=result["total"],
            processed=result["total"],
            counts=result["counts"],
            differences=result["differences"],
        )
        for kind in KINDS:
            self.stdout.write(f"{kind:13s} {result['counts'].get(kind, 0):6d}  {KIND_LABELS[kind]}")
        if options.get("differences"):
            rows = [[d[k] for k in DIFF_HEADER] for d in result["differences"]]
            Path(options["differences"]).write_bytes(csv_bytes(DIFF_HEADER, rows))
            self.stdout.write(f"Đã ghi {len(rows)} dòng chênh lệch vào {options['differences']}")
