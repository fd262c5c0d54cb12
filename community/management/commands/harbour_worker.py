"""The background worker `make run` starts beside the web server: it escalates
risk alerts nobody acknowledged in time, and once a day (from
HARBOUR_DIGEST_HOUR, local time) emails the notification digests. Run one or
more in production; alert rows are locked, so several workers never escalate
the same alert twice, and the digest runs once a day whichever worker gets to
it (see community.notifications.run_daily_digest_if_due).

python manage.py harbour_worker            # loop every 15 seconds
python manage.py harbour_worker --once     # one pass (cron, tests)
"""

import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from community.moderation import do_escalate_overdue_alerts
from community.notifications import run_daily_digest_if_due


class Command(BaseCommand):
    help = "Escalate unacknowledged risk alerts and send daily digests, in a loop."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="one pass, then exit")
        parser.add_argument(
            "--interval", type=float, default=15.0, help="seconds between passes"
        )

    def handle(self, *args, once=False, interval=15.0, **options):
        self.stdout.write(
            "Harbour worker: escalating unacknowledged risk alerts, "
            "sending daily digests."
        )
        while True:
            try:
                escalated = do_escalate_overdue_alerts()
            except Exception as error:  # noqa: BLE001 - keep the loop alive
                self.stderr.write(f"Escalation pass failed: {error!r}")
            else:
                if escalated:
                    self.stdout.write(f"Escalated {escalated} alert(s).")
            try:
                digests = run_daily_digest_if_due()
            except Exception as error:  # noqa: BLE001 - keep the loop alive
                self.stderr.write(f"Digest pass failed: {error!r}")
            else:
                if digests is not None:
                    self.stdout.write(f"Sent {digests} daily digest(s).")
            if once:
                return
            time.sleep(interval)
            # A long-lived process must not keep a connection the database
            # has dropped or that outlived CONN_MAX_AGE.
            close_old_connections()
