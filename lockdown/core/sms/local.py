"""Backends that send nothing: the console (the embedded default) and memory (for tests)."""

import json
import logging
import threading
from pathlib import Path

from django.utils import timezone

from lockdown.core.identity import mask_phone

from .base import Backend, NotSent, Outcome, Outgoing, Result, Template, render

logger = logging.getLogger("lockdown.sms")


class ConsoleBackend(Backend):
    """Writes each message, rendered as the resident would read it, to the log and to a file per day
    under `directory` (var/sms by default): what staff preview is what is written here."""

    name = "console"
    numbers_per_request = 1000
    numbers_per_request_same_params = 1000

    def send(self, template: Template, messages: list[Outgoing], *, request_ref: str) -> list[Result]:
        directory = Path(self.options["directory"])
        directory.mkdir(parents=True, exist_ok=True)
        now = timezone.localtime()
        lines = []
        for message in messages:
            text = render(template, message.params)
            logger.info("SMS to %s (%s): %s", mask_phone(message.phone), template.code, text)
            record = {"at": now.isoformat(), "ref": request_ref, "phone": message.phone, "text": text}
            lines.append(json.dumps(record, ensure_ascii=False) + "\n")
        with open(directory / f"{now:%Y-%m-%d}.jsonl", "a", encoding="utf-8") as file:
            file.writelines(lines)
        return [Result(message.key, Outcome.ACCEPTED, provider_id=f"console-{request_ref}") for message in messages]


class MemoryBackend(Backend):
    """Keeps what it sends in `MemoryBackend.sent` (one process only). Tests make numbers fail with
    `failures` ({phone: error code}) and the provider unreachable with `outage = True`."""

    name = "memory"
    numbers_per_request = 100
    numbers_per_request_same_params = 1000
    sent: list[tuple[str, str, str]] = []  # (request_ref, phone, text)
    failures: dict[str, str] = {}
    outage = False
    _lock = threading.Lock()

    @classmethod
    def reset(cls):
        cls.sent, cls.failures, cls.outage = [], {}, False

    def send(self, template: Template, messages: list[Outgoing], *, request_ref: str) -> list[Result]:
        if self.outage:
            raise NotSent("outage", "the provider is unreachable")
        results = []
        with self._lock:
            for message in messages:
                code = self.failures.get(message.phone)
                if code:
                    results.append(Result(message.key, Outcome.REFUSED, error_code=code))
                    continue
                self.sent.append((request_ref, message.phone, render(template, message.params)))
                results.append(Result(message.key, Outcome.ACCEPTED, provider_id=f"mem-{len(self.sent)}"))
        return results
