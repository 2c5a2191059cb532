"""Email notifier over SMTP (plain, STARTTLS, or implicit TLS; optional login)."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from alerts.config import EmailChannel
from alerts.notify.base import Notification, NotifyError, scrub, summary_lines
from alerts.state import FIRING


def email_message(n: Notification, channel: EmailChannel) -> EmailMessage:
    msg = EmailMessage()
    rules = ", ".join(sorted({a.rule for a in n.alerts}))
    msg["Subject"] = f"[{n.status.upper()}] {rules}"
    msg["From"] = channel.from_
    msg["To"] = ", ".join(channel.to)
    lines = []
    for a, line in zip(n.alerts, summary_lines(n), strict=True):
        lines.append(line)
        if a.annotations.get("description"):
            lines.append(f"    {a.annotations['description']}")
        lines.append("    " + ", ".join(f"{k}={v}" for k, v in sorted(a.labels.items())))
        if a.state == FIRING and a.fired_at:
            lines.append(f"    firing since {a.fired_at.isoformat()}")
        elif a.resolved_at:
            lines.append(f"    resolved at {a.resolved_at.isoformat()}")
    msg.set_content("\n".join(lines) + f"\n\n{n.external_url}\n")
    return msg


class EmailNotifier:
    def __init__(self, name: str, channel: EmailChannel) -> None:
        self.name, self.channel = name, channel

    def send(self, notification: Notification) -> None:
        c = self.channel
        password = c.password.get_secret_value() if c.password else ""
        try:
            if c.tls:
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    c.smtp_host,
                    c.smtp_port,
                    timeout=c.timeout,
                    context=ssl.create_default_context(),
                )
            else:
                smtp = smtplib.SMTP(c.smtp_host, c.smtp_port, timeout=c.timeout)
            with smtp:
                if c.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if c.username:
                    smtp.login(c.username, password)
                smtp.send_message(email_message(notification, c))
        except (smtplib.SMTPException, OSError) as exc:
            reason = scrub(f"{type(exc).__name__}: {exc}", [password])
            raise NotifyError(self.name, f"SMTP {c.smtp_host}:{c.smtp_port}: {reason}") from None
