from pathlib import Path

from django.core.management.base import BaseCommand

from motcua.catalog.evaluation import BUCKETS, QUESTIONS, evaluate, load_questions

LABELS = {
    "right": "trả lời đúng",
    "declined": "từ chối đúng (việc ngoài xã, câu không có thủ tục)",
    "asked_back_right": "hỏi lại, có phương án đúng",
    "asked_back_wrong": "hỏi lại, không có phương án đúng",
    "confidently_wrong": "trả lời chắc chắn nhưng SAI",
}


class Command(BaseCommand):
    help = (
        "Đo trợ lý trên bộ câu hỏi có nhãn: trả lời đúng, hỏi lại có phương án đúng, "
        "trả lời chắc chắn mà sai (mục tiêu 0), từ chối đúng việc ngoài xã."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(QUESTIONS))
        parser.add_argument("--show", choices=["misses", "all"], default=None)

    def handle(self, *args, **options):
        data = load_questions(Path(options["file"]))
        for key, title in (
            ("calibration", "Bộ chỉnh ngưỡng"),
            ("holdout", "Bộ viết sau khi chỉnh (không dùng để chỉnh)"),
            ("holdout_2", "Bộ thứ ba, viết sau cùng"),
        ):
            if data.get(key):
                self._report(title, data[key], options["show"])

    def _report(self, title, questions, show):
        report = evaluate(questions)
        self.stdout.write(f"{title}: {report.total} câu hỏi")
        for bucket in BUCKETS:
            n = report.counts[bucket]
            self.stdout.write(f"  {LABELS[bucket]}: {n} ({100 * n / report.total:.1f}%)")
        for question, expected, bucket, got in report.rows:
            if show == "all" or (show == "misses" and bucket in ("asked_back_wrong", "confidently_wrong")):
                self.stdout.write(f"    [{bucket}] {question!r}: cần {expected or '—'}, được {got}")
