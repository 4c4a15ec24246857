"""What an inbound message is: a delivery-status report (RFC 3464), a complaint (ARF, RFC 5965), an
auto-reply (RFC 3834), a bounce in a non-standard format (Mailman's flufl.bounce detectors), or other mail.

Reports are recognised before auto-replies: MTAs mark their DSNs `Auto-Submitted: auto-replied` too.
"""

from __future__ import annotations

import email
import logging
import re
from dataclasses import dataclass, field
from email import policy
from email.header import decode_header, make_header
from email.message import Message
from email.parser import HeaderParser
from enum import StrEnum
from typing import cast

from contacts.domain import BounceKind

log = logging.getLogger(__name__)


class Kind(StrEnum):
    BOUNCE = "bounce"
    COMPLAINT = "complaint"
    AUTO_REPLY = "auto_reply"
    OTHER = "other"


@dataclass(frozen=True)
class Failure:
    kind: BounceKind
    status: str  # RFC 3463, e.g. 5.1.1; 5.0.0 or 4.0.0 when a non-standard report gives none
    recipient: str | None  # the address the report says failed, when it says


@dataclass(frozen=True)
class Classified:
    kind: Kind
    failures: tuple[Failure, ...] = ()
    original: Message | None = field(default=None, compare=False)  # the returned message's headers
    note: str = ""

    @property
    def worst(self) -> Failure | None:
        """A message goes to one recipient: its report's hard failure wins over a soft one."""
        return min(self.failures, key=lambda failure: failure.kind != BounceKind.HARD, default=None)


_STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_OUT_OF_OFFICE = re.compile(
    r"out of (the )?office|automatic reply|auto(matic)?[- ]?reply|autoreply|auto-response|\bauto:|"
    r"absence|absent|on vacation|on leave|vacation reply|r[ée]ponse automatique|abwesenheit|"
    r"away from (the|my) office", re.IGNORECASE)
_BOUNCE_SENDERS = re.compile(r"mailer-daemon|postmaster|mail delivery (sub)?system", re.IGNORECASE)
_BOUNCE_SUBJECTS = re.compile(
    r"undeliver|delivery status notification|delivery (has )?failed|failure notice|returned mail|"
    r"mail delivery failed|could not be delivered|non remis|delivery failure", re.IGNORECASE)


def parse(raw: bytes) -> Message:
    return email.message_from_bytes(raw, policy=policy.compat32)


def classify(raw: bytes) -> Classified:
    message = parse(raw)
    if _is_feedback_report(message):
        return Classified(Kind.COMPLAINT, original=_original_headers(message), note="ARF feedback report")
    report = _delivery_status(message)
    if report is not None:
        failures, actions = report
        if failures:
            return Classified(Kind.BOUNCE, tuple(failures), _original_headers(message), "RFC 3464 report")
        # delayed, delivered, relayed, expanded: the message is on its way or arrived; nothing to record
        return Classified(Kind.OTHER, original=_original_headers(message),
                          note=f"delivery-status report without failure ({', '.join(sorted(actions)) or 'no action'})")
    # MTAs mark their own bounces Auto-Submitted too (Exim does): a bounce is looked for before an auto-reply.
    failures = _non_standard_failures(message)
    if failures:
        return Classified(Kind.BOUNCE, tuple(failures), _original_headers(message), "non-standard bounce")
    if _is_auto_reply(message):
        return Classified(Kind.AUTO_REPLY, note="auto-reply (RFC 3834)")
    return Classified(Kind.OTHER, note="neither a report nor an auto-reply")


def _is_feedback_report(message: Message) -> bool:
    if message.get_content_type() == "multipart/report" and \
            (cast("str | None", message.get_param("report-type")) or "").lower() == "feedback-report":
        return True
    return any(part.get_content_type() == "message/feedback-report" for part in message.walk())


def _delivery_status(message: Message) -> tuple[list[Failure], set[str]] | None:
    """The failures of an RFC 3464 report, and every action it names; None when it holds no report."""
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        failures, actions = [], set()
        for block in _status_blocks(part):
            action = (block.get("Action") or "").strip().lower()
            if not action:
                continue  # the per-message block
            actions.add(action)
            status = _STATUS.search(block.get("Status") or "")
            if action != "failed" or status is None:
                continue
            code = ".".join(status.groups())
            kind = BounceKind.HARD if code.startswith("5") else BounceKind.SOFT if code.startswith("4") else None
            if kind is not None:
                failures.append(Failure(kind, code, _address(block.get("Final-Recipient")
                                                             or block.get("Original-Recipient"))))
        return failures, actions
    return None


def _status_blocks(part: Message) -> list[Message]:
    payload = part.get_payload()
    if isinstance(payload, list):  # the parser splits message/delivery-status into its blocks
        return cast(list[Message], payload)
    text = payload if isinstance(payload, str) else ""  # some MTAs encode it; read it as text then
    if part.get("Content-Transfer-Encoding", "").lower() in ("base64", "quoted-printable"):
        text = (_decoded(part) or b"").decode("utf-8", "replace")
    blocks = re.split(r"\r?\n\s*\r?\n", text.strip())
    return [HeaderParser().parsestr(block) for block in blocks if block.strip()]


def _address(field_value: str | None) -> str | None:
    """`rfc822; someone@example.org` → someone@example.org"""
    if not field_value:
        return None
    return field_value.split(";", 1)[-1].strip().strip("<>") or None


def _original_headers(message: Message) -> Message | None:
    """The headers of the message the report is about: a message/rfc822 or text/rfc822-headers part."""
    for part in message.walk():
        content_type = part.get_content_type()
        if content_type in ("message/rfc822", "message/rfc822-headers"):
            payload = part.get_payload()
            if isinstance(payload, list) and payload:
                return cast(Message, payload[0])
            if isinstance(payload, str):
                return HeaderParser().parsestr(payload)
        if content_type == "text/rfc822-headers":
            text = (_decoded(part) or b"").decode("utf-8", "replace")
            return HeaderParser().parsestr(text)
    return None


def _is_auto_reply(message: Message) -> bool:
    auto_submitted = (message.get("Auto-Submitted") or "").strip().lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return True
    if message.get("X-Autoreply") or message.get("X-Autorespond") or message.get("X-Auto-Response-Suppress"):
        return True
    if (message.get("Precedence") or "").strip().lower() in ("auto_reply", "auto-reply"):
        return True
    return bool(_OUT_OF_OFFICE.search(_subject(message)))


def _subject(message: Message) -> str:
    try:
        return str(make_header(decode_header(message.get("Subject") or "")))
    except (UnicodeDecodeError, LookupError, ValueError):
        return message.get("Subject") or ""


def _non_standard_failures(message: Message) -> list[Failure]:
    """Mailman's detectors know the formats of MTAs that send no RFC 3464 report. Asked only of what looks
    like a bounce, so that an ordinary reply is not read as one."""
    if not (_BOUNCE_SENDERS.search(message.get("From") or "") or _BOUNCE_SUBJECTS.search(_subject(message))):
        return []
    # Here: its detectors cost 30 ms to import, and most mail that comes back never needs them.
    from flufl.bounce import all_failures

    try:
        temporary, permanent = all_failures(message)
    except Exception:  # noqa: BLE001 - a detector that chokes on odd mail must not lose the message
        log.exception("the bounce detectors failed on a message")
        return []
    text = _body_text(message)
    failures = []
    for addresses, kind, default in ((permanent, BounceKind.HARD, "5.0.0"), (temporary, BounceKind.SOFT, "4.0.0")):
        for address in sorted(addresses):
            decoded = address.decode("utf-8", "replace") if isinstance(address, bytes) else str(address)
            status = _STATUS.search(text)
            code = ".".join(status.groups()) if status and status.group(1) == default[0] else default
            failures.append(Failure(kind, code, decoded))
    return failures


def _decoded(part: Message) -> bytes | None:
    """A leaf part's payload, its transfer encoding undone (None for a multipart)."""
    return cast("bytes | None", part.get_payload(decode=True))


def _body_text(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return (_decoded(part) or b"").decode("utf-8", "replace")
    return ""
