"""The SMS gateway's interface: what every backend takes and answers. It knows nothing of campaigns.

Chinese providers send only templates approved in advance, under an approved signature (签名): a
backend sends the template's code and each message's parameters, never free text. Their send APIs
are not idempotent, so a backend says plainly whether a request surely did not go through
(`NotSent`, safe to try again) or might have (`Unsure`: look it up before sending again).
"""

import datetime
import math
import re
from dataclasses import dataclass, field
from enum import StrEnum

PLACEHOLDER = re.compile(r"\$\{(\w+)\}")
# Chinese text: one message holds 70 characters; a longer one is sent in parts of 67 (the rest
# carries the join). The signature counts.
SINGLE_SEGMENT = 70
PART_SEGMENT = 67


@dataclass(frozen=True)
class Template:
    code: str  # the provider's code of the approved template
    body: str  # the approved text, with placeholders as ${name}
    params: tuple[str, ...]  # the placeholders in the provider's order (Tencent numbers them {1}, {2} …)
    sign_name: str


@dataclass(frozen=True)
class Outgoing:
    key: str  # the sender's own id for the message
    phone: str  # an 11-digit mainland mobile number
    params: dict[str, str] = field(default_factory=dict)


class Outcome(StrEnum):
    ACCEPTED = "accepted"  # the provider took it
    REFUSED = "refused"  # refused for good (the number, the account): do not send again
    NOT_SENT = "not_sent"  # surely not sent, for a passing reason: send again later
    UNSURE = "unsure"  # may have been sent: look it up before sending again


@dataclass(frozen=True)
class Result:
    """What became of one message of a request."""

    key: str
    outcome: Outcome
    provider_id: str = ""
    error_code: str = ""
    error: str = ""


@dataclass(frozen=True)
class Receipt:
    """A delivery report pushed by the provider for one message."""

    phone: str
    delivered: bool
    provider_id: str = ""
    request_ref: str = ""
    error_code: str = ""
    error: str = ""
    at: datetime.datetime | None = None


class GatewayError(Exception):
    outcome = Outcome.REFUSED  # what it means for each message of the request

    def __init__(self, code, message=""):
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message


class NotSent(GatewayError):
    """The request surely did not reach the provider, or the provider refused it whole for a passing
    reason (its rate limit): sending it again later is safe."""

    outcome = Outcome.NOT_SENT


class Unsure(GatewayError):
    """The request may have gone through (a timeout after it was written, a server error): find out
    from the provider before sending any of its messages again."""

    outcome = Outcome.UNSURE


class Refused(GatewayError):
    """The provider refused the whole request for a reason of the account (key, signature, template,
    balance): no message of it was sent. Its messages wait and are tried again, with backoff, while
    staff see the provider's words and someone puts the account right; the residents of a number
    refused for good are called instead (Outcome.REFUSED, per message)."""

    outcome = Outcome.NOT_SENT


class Backend:
    """A provider. Subclasses set their published limits and implement `_send`."""

    name = "base"
    # Numbers in one request when each has its own parameters, and when all share the same ones.
    numbers_per_request = 100
    numbers_per_request_same_params = 1000
    requests_per_second = None  # None: no limit
    can_look_up = False
    # True where the look-up lists every message the provider took (Alibaba Cloud's send records):
    # one it does not list was never received. Tencent Cloud lists only delivery reports.
    look_up_is_complete = True

    def __init__(self, *, pace=None, **options):
        self._pace = pace or (lambda: None)
        self.options = options

    def batch_size(self, same_params: bool) -> int:
        return self.numbers_per_request_same_params if same_params else self.numbers_per_request

    def send(self, template: Template, messages: list[Outgoing], *, request_ref: str) -> list[Result]:
        """Send one request's worth of messages; `request_ref` goes with it, to find it again later.

        Returns a result per message (accepted, or refused for that number), or raises NotSent,
        Unsure or Refused for the request as a whole."""
        raise NotImplementedError

    def look_up(self, template: Template, messages: list[Outgoing], *, request_ref: str, since) -> list[Result]:
        """Ask the provider which of these messages it took under `request_ref` since `since`: the
        results of those it has. Only where `can_look_up`; see `look_up_is_complete`."""
        raise NotImplementedError

    def parse_receipts(self, body: bytes) -> list[Receipt]:
        raise NotImplementedError

    receipt_reply = {"code": 0}


def placeholders(body: str) -> list[str]:
    """The placeholder names of a template body, in order of first appearance."""
    return list(dict.fromkeys(PLACEHOLDER.findall(body)))


def render(template: Template, params: dict[str, str]) -> str:
    """The text a resident reads: the signature in 【】, then the body with its values filled in."""
    body = PLACEHOLDER.sub(lambda match: str(params.get(match.group(1), "")), template.body)
    return f"【{template.sign_name}】{body}"


def segments(text: str) -> int:
    if len(text) <= SINGLE_SEGMENT:
        return 1
    return math.ceil(len(text) / PART_SEGMENT)
