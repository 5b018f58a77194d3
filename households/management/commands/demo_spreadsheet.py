from pathlib import Path

from django.core.management.base import BaseCommand

from households.demo import DEMO_SHEET, write_demo_workbook


class Command(BaseCommand):
    help = "Write the demo community's register as the committee's spreadsheet (what `load_demo` imports)."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, default=DEMO_SHEET)

    def handle(self, *args, output, **options):
        residents = write_demo_workbook(output, bad_rows=2)
        self.stdout.write(f"Wrote {residents} residents (2 rows with deliberate mistakes) to {output}")
