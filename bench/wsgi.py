"""What gunicorn serves during the benchmark: the real app, plus one minimal route added here only.

``gunicorn bench.wsgi:app`` with BENCH_DATABASE_URL and BENCH_FOLDER set (see bench.databases).
The minimal route goes through the same middleware, hooks and access check as every page.
"""

from tracker.core.access import public

from bench.databases import app_from_env

app = app_from_env()


@public
def _minimal():
    return "ok"


app.add_url_rule("/bench/minimal", "bench_minimal", _minimal)
