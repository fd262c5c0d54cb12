"""The background worker `make run` starts beside the web server, in one
process:
- about twice a second, it runs the deliveries task queue (risk-alert and
  notice emails, web push: community/notifications/deliveries.py and
  worker.py; the notices of a reply to its topic's followers:
  community/notifications/fanout.py, which should reach the bell within a
  second or two), and straight again while there is more to run;
- every pass (15 seconds), it escalates risk alerts nobody acknowledged in
  time, queues again deliveries that are due and fan-outs that are pending
  and have no task (the sweepers), once a day (from HARBOUR_DIGEST_HOUR,
  local time) emails the notification digests, and once a day removes what
  is past its retention period (community/rights/retention.py);
- it records a heartbeat in the database, which /ready/ reads
  (community.notifications.worker.worker_heartbeat_age).

Run one or more in production: alert, delivery and task rows are locked, so
several workers never escalate an alert or send a delivery twice, and the
digest runs once a day whichever worker gets to it (see
community.notifications.actions.run_daily_digest_if_due).

python manage.py harbour_worker         # deliveries every 0.5 s, passes every 15 s
python manage.py harbour_worker --once  # one pass, one batch of deliveries
"""

import logging
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from community.moderation.alerts import do_escalate_overdue_alerts
from community.notifications.actions import run_daily_digest_if_due
from community.notifications.deliveries import retry_due_deliveries
from community.notifications.fanout import retry_due_fan_outs
from community.notifications.worker import beat, run_delivery_queue
from community.rights.retention import run_daily_retention_if_due

# The heartbeat is written at most this often (seconds): often enough for
# /ready/, rarely enough not to be a write a second.
BEAT_EVERY = 5.0

# Through logging, not stdout: production's log collector reads JSON lines,
# and logging's filter keeps email addresses out of error messages.
logger = logging.getLogger("harbour.worker")


class Command(BaseCommand):
    help = (
        "Run the deliveries queue, escalate unacknowledged risk alerts and send "
        "daily digests, in a loop."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="one pass, then exit")
        parser.add_argument(
            "--interval", type=float, default=15.0, help="seconds between passes"
        )
        parser.add_argument(
            "--tick",
            type=float,
            default=0.5,
            help="seconds between runs of the deliveries queue",
        )

    def handle(self, *args, once=False, interval=15.0, tick=0.5, **options):
        logger.info(
            "Harbour worker: sending deliveries, escalating unacknowledged risk "
            "alerts, sending daily digests."
        )
        next_pass = last_beat = 0.0
        while True:
            if once or time.monotonic() >= next_pass:
                self.run_pass()
                next_pass = time.monotonic() + interval
            if ran := self.run_step("Deliveries", run_delivery_queue):
                logger.info("Ran %s delivery task(s).", ran)
            if once or time.monotonic() - last_beat >= BEAT_EVERY:
                self.run_step("Heartbeat", beat)
                last_beat = time.monotonic()
            if once:
                return
            if not ran:  # a full batch may have left more ready: no wait then
                time.sleep(tick)
            # A long-lived process must not keep a connection the database
            # has dropped or that outlived CONN_MAX_AGE.
            close_old_connections()

    def run_pass(self) -> None:
        if escalated := self.run_step("Escalation", do_escalate_overdue_alerts):
            logger.info("Escalated %s alert(s).", escalated)
        if swept := self.run_step("Sweep", retry_due_deliveries):
            logger.info("Queued %s due delivery(ies) again.", swept)
        if swept := self.run_step("Fan-out sweep", retry_due_fan_outs):
            logger.info("Queued %s pending fan-out(s) again.", swept)
        digests = self.run_step("Digest", run_daily_digest_if_due)
        if digests is not None:
            logger.info("Sent %s daily digest(s).", digests)
        retention = self.run_step("Retention", run_daily_retention_if_due)
        if retention is not None:
            logger.info("Retention removed %s.", retention)

    def run_step(self, name: str, step):
        """Run one step and return what it returned; a failure is logged
        with its traceback (None) and the loop goes on."""
        try:
            return step()
        except Exception:  # noqa: BLE001 - keep the loop alive
            logger.exception("%s pass failed", name)
            return None
