"""gunicorn's settings for the web service. gunicorn reads this file from the folder it is
started in: the image's /app (docker compose) and the project folder (`make bench`).

Worker processes: WEB_CONCURRENCY (gunicorn's own variable) or --workers. Each process runs
GUNICORN_THREADS threads (gthread): one request's database wait no longer idles its
process, and connections are kept alive between a client's requests instead of being
opened anew for each one. Every thread keeps its own database connection
(DATABASE_CONN_MAX_AGE), so PostgreSQL sees processes x threads connections.
"""

import os

worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
keepalive = 5
