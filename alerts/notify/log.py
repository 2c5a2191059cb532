"""Log notifier: one log line per alert of the group."""

from __future__ import annotations

import logging

from alerts.config import LogChannel
from alerts.notify.base import Notification, summary_lines

LEVELS = {"info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}


class LogNotifier:
    def __init__(self, name: str, channel: LogChannel, logger: logging.Logger) -> None:
        self.name, self.channel, self.logger = name, channel, logger

    def send(self, notification: Notification) -> None:
        for line in summary_lines(notification):
            self.logger.log(LEVELS[self.channel.level], "alert %s: %s", self.name, line)
