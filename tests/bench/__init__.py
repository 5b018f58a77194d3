"""Benchmarks: `python -m tests.bench [name ...]` (or `make bench ONLY=name`).

Each figure is printed as one JSON object per line on standard output, progress goes to standard
error (the keys: `bench`, `value`, `unit`, `ratio` to a baseline measured in the same run, `ratio_to`,
`goal`, and any extra figures). The benchmarks build their own data in a PostgreSQL
database of their own and drop it at the end. Nothing here asserts a time: these are not tests.
"""

# Every figure, and the module (in this package) that measures it. A module's `run(names)` builds its
# data once and prints the named figures; modules are imported only once Django is set up.
FIGURES = {
    "page_overview": "register_pages",
    "page_building": "register_pages",
    "page_search": "register_pages",
    "page_key_population": "register_pages",
    "import_100k": "imports",
    "import_100k_vs_openpyxl": "imports",
    "import_peak_mb": "imports",
    "reimport_1pct": "imports",
    "export_peak_mb": "imports",
    "import_export_default": "imports",
    "import_export_tuned": "imports",
    "volunteer_today": "volunteer_pages",
    "roster_page": "volunteer_pages",
    "parcel_intake": "parcel_pages",
    "parcel_sorting": "parcel_pages",
    "sms_dispatch_10k": "sms",
    "sms_queries_per_message": "sms",
}
