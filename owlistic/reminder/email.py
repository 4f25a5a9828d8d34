"""Reminder e-mails over SMTP (the standard library's client, run off the event loop)."""

from __future__ import annotations

import asyncio
import smtplib
from email.message import EmailMessage

from owlistic.settings import Settings


def _send(settings: Settings, message: EmailMessage) -> None:
    assert settings.smtp_host
    with smtplib.SMTP(
        settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds
    ) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username and settings.smtp_password:
            smtp.login(settings.smtp_username, settings.smtp_password.get_secret_value())
        smtp.send_message(message)


async def send_reminder(settings: Settings, to: str, title: str, when: str) -> None:
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = f"Reminder: {title or 'a task'}"
    message.set_content(f"{title or 'A task'} is due {when}.\n\n-- Owlistic\n")
    await asyncio.to_thread(_send, settings, message)
