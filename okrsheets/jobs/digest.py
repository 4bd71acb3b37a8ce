"""The e-mail digest sent after each rollup (opt-in: ``[email] enabled = true``).

* Each department owner gets ONE message (covering every department they own
  that has something to report) listing KRs at risk or off track, KRs without
  a check-in for longer than ``email.stale_after_days``, and data issues with
  the cell to fix. An owner with nothing to report gets no message.
* A KR with an ``owner`` in the config is reported to its owner (in the same
  one message per person), with the data issues about it; the department's
  owners get the rest of the department.
* ``admin_emails`` get one company overview: company score, each department's
  score and status, counts.

Messages are in the config's language (Vietnamese by default), UTF-8, with a
plain-text part and a simple HTML part in which all team text is escaped.
The SMTP password comes from the environment variable named by
``email.password_env`` and is never logged.
"""

from __future__ import annotations

import html
import logging
import os
import smtplib
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from okrsheets.config import Config
from okrsheets.core.results import DataIssue, DepartmentResult, KeyResultResult, RollupResult, is_stale
from okrsheets.core.scoring import STATUSES
from okrsheets.i18n import grade_label, reading_of, status_label

log = logging.getLogger("okrsheets")

SMTP_TIMEOUT = 30.0
ATTENTION = ("at_risk", "off_track")

TEXT = {
    "vi": {
        "greeting": "Chào anh/chị,",
        "intro": "Đây là bản tin OKR của {company} sau lần tổng hợp ngày {date} (quý {quarter}).",
        "department": "{name}: điểm {score} ({status})",
        "at_risk": "KR có rủi ro hoặc chậm tiến độ",
        "stale": "KR chưa cập nhật quá {days} ngày",
        "issues": "Lỗi dữ liệu cần sửa",
        "kr": "{id} {text}: {status}, điểm {score} (kỳ vọng {expected}); {check_in}",
        "last_check_in": "cập nhật lần cuối {date} ({ago})",
        "today": "hôm nay",
        "yesterday": "hôm qua",
        "days_ago": "{days} ngày trước",
        "never": "chưa cập nhật lần nào",
        "where_file": "Tệp {file}",
        "where_sheet": "trang tính “{sheet}”",
        "where_cell": "ô {cell}",
        "found": "đang ghi: “{found}”",
        "fix": "Cách sửa: {fix}",
        "footer": (
            "Thư này do okrsheets gửi tự động sau lần tổng hợp hằng đêm. "
            "Vui lòng cập nhật bảng OKR của phòng trước lần tổng hợp tiếp theo."
        ),
        "subject_owner": "[OKR {quarter}] {names}: {parts}",
        "part_at_risk": "{n} KR có rủi ro/chậm tiến độ",
        "part_stale": "{n} KR lâu chưa cập nhật",
        "part_issues": "{n} lỗi dữ liệu",
        "subject_admin": "[OKR {quarter}] Tổng quan {company} ngày {date}: {score} ({status})",
        "admin_intro": "Tổng quan OKR của {company}, số liệu đến ngày {date} (quý {quarter}).",
        "company": "Điểm toàn công ty: {score} ({grade}, {status}); tiến độ kỳ vọng: {expected}.",
        "col_department": "Phòng ban",
        "col_score": "Điểm",
        "col_status": "Trạng thái",
        "col_issues": "Lỗi dữ liệu",
        "unreadable": "không đọc được",
        "totals": "Tổng cộng: {krs} KR; {counts}; {issues} lỗi dữ liệu.",
        "errors": "Lỗi khi tổng hợp:",
        "summary": "Bảng tổng hợp: {path}",
        "admin_footer": "Thư này do okrsheets gửi tự động sau lần tổng hợp hằng đêm.",
        "sender_name": "OKR {company}",
    },
    "en": {
        "greeting": "Hello,",
        "intro": "Here is the {company} OKR digest after the rollup of {date} (quarter {quarter}).",
        "department": "{name}: score {score} ({status})",
        "at_risk": "Key results at risk or off track",
        "stale": "Key results without a check-in for more than {days} days",
        "issues": "Data issues to fix",
        "kr": "{id} {text}: {status}, score {score} (expected {expected}); {check_in}",
        "last_check_in": "last check-in {date} ({ago})",
        "today": "today",
        "yesterday": "yesterday",
        "days_ago": "{days} days ago",
        "never": "never checked in",
        "where_file": "File {file}",
        "where_sheet": "sheet “{sheet}”",
        "where_cell": "cell {cell}",
        "found": "found: “{found}”",
        "fix": "Fix: {fix}",
        "footer": (
            "This message was sent automatically by okrsheets after the nightly rollup. "
            "Please update your department's OKR sheet before the next rollup."
        ),
        "subject_owner": "[OKR {quarter}] {names}: {parts}",
        "part_at_risk": "{n} KRs at risk or off track",
        "part_stale": "{n} stale KRs",
        "part_issues": "{n} data issues",
        "subject_admin": "[OKR {quarter}] {company} overview, {date}: {score} ({status})",
        "admin_intro": "{company} OKR overview as of {date} (quarter {quarter}).",
        "company": "Company score: {score} ({grade}, {status}); expected progress: {expected}.",
        "col_department": "Department",
        "col_score": "Score",
        "col_status": "Status",
        "col_issues": "Data issues",
        "unreadable": "unreadable",
        "totals": "In all: {krs} KRs; {counts}; {issues} data issues.",
        "errors": "Errors during the rollup:",
        "summary": "Summary: {path}",
        "admin_footer": "This message was sent automatically by okrsheets after the nightly rollup.",
        "sender_name": "OKR {company}",
    },
}


def _lang(language: str) -> str:
    return "en" if language == "en" else "vi"


def _t(language: str, key: str, **values: object) -> str:
    return TEXT[_lang(language)][key].format(**values)


def _percent(value: float) -> str:
    return f"{value:.0%}"


def _department_score(department: DepartmentResult, language: str) -> str:
    """A department's score; "—" when its workbook was never read, with the reading's date when not read tonight."""
    if not department.has_reading:
        return "—"
    if department.stale:
        return f"{_percent(department.score)} ({reading_of(department.read_on, language)})"
    return _percent(department.score)


def _day(value: date, language: str) -> str:
    return value.strftime("%d/%m/%Y") if _lang(language) == "vi" else value.isoformat()


# ---------------------------------------------------------------- what to report


@dataclass(frozen=True)
class DepartmentDigest:
    department: DepartmentResult
    at_risk: tuple[KeyResultResult, ...]
    stale: tuple[KeyResultResult, ...]
    issues: tuple[DataIssue, ...]

    @property
    def empty(self) -> bool:
        return not (self.at_risk or self.stale or self.issues)


def department_digest(result: RollupResult, department: DepartmentResult, stale_after_days: int) -> DepartmentDigest:
    at_risk = tuple(kr for kr in department.key_results if kr.status in ATTENTION)
    stale = tuple(
        kr for kr in department.key_results
        if kr.status not in ATTENTION and is_stale(kr, result.as_of, stale_after_days)
    )
    return DepartmentDigest(department, at_risk, stale, result.issues_for(department.key))


def owner_digests(config: Config, result: RollupResult) -> dict[str, list[DepartmentDigest]]:
    """Recipient address -> the non-empty digests of what they own, in config order.

    A KR with an owner goes to that owner (with the data issues about it); everything
    else of a department goes to the department's owners.
    """
    by_owner: dict[str, list[DepartmentDigest]] = {}
    seen: dict[str, str] = {}  # lower-case address -> first spelling
    for department in result.departments:
        digest = department_digest(result, department, config.email.stale_after_days)
        if digest.empty:
            continue
        owners = {kr.id: kr.owner for kr in department.key_results if kr.owner}

        def recipients(kr_id: str | None, department: DepartmentResult = department) -> tuple[str, ...]:
            return (owners[kr_id],) if kr_id in owners else department.owners

        people: dict[str, None] = {}
        for kr_id in [*(kr.id for kr in (*digest.at_risk, *digest.stale)), *(i.key_result for i in digest.issues)]:
            people.update(dict.fromkeys(seen.setdefault(p.lower(), p) for p in recipients(kr_id)))
        if not department.owners and any(owners.get(kr.id) is None for kr in (*digest.at_risk, *digest.stale)):
            log.warning("e-mail digest: department %s has no owners; nobody is told about its KRs without an owner",
                        department.key)
        for person in people:
            def mine(kr_id: str | None, person: str = person) -> bool:
                return person.lower() in (p.lower() for p in recipients(kr_id))

            part = DepartmentDigest(department, tuple(kr for kr in digest.at_risk if mine(kr.id)),
                                    tuple(kr for kr in digest.stale if mine(kr.id)),
                                    tuple(i for i in digest.issues if mine(i.key_result)))
            if not part.empty:
                by_owner.setdefault(person, []).append(part)
    return by_owner


# ---------------------------------------------------------------- owner message


def _check_in(kr: KeyResultResult, as_of: date, language: str) -> str:
    if kr.last_check_in is None:
        return _t(language, "never")
    days = (as_of - kr.last_check_in).days
    ago = _t(language, "today") if days <= 0 else _t(language, "yesterday") if days == 1 else _t(language, "days_ago", days=days)
    return _t(language, "last_check_in", date=_day(kr.last_check_in, language), ago=ago)


def _kr_line(kr: KeyResultResult, as_of: date, language: str) -> str:
    return _t(
        language, "kr", id=kr.id, text=kr.text, status=status_label(kr.status, language),
        score=_percent(kr.score), expected=_percent(kr.expected), check_in=_check_in(kr, as_of, language),
    )


def _issue_where(issue: DataIssue, language: str) -> str:
    parts = [_t(language, "where_file", file=issue.file)]
    if issue.sheet:
        parts.append(_t(language, "where_sheet", sheet=issue.sheet))
    if issue.cell:
        parts.append(_t(language, "where_cell", cell=issue.cell))
    where = ", ".join(parts)
    if issue.found not in (None, ""):
        where += f" ({_t(language, 'found', found=issue.found)})"
    return where


def _issue_line(issue: DataIssue, language: str) -> str:
    return f"{_issue_where(issue, language)}: {issue.problem} {_t(language, 'fix', fix=issue.fix)}"


def _sections(digest: DepartmentDigest, result: RollupResult, config: Config) -> list[tuple[str, list[str]]]:
    language = config.language
    sections = []
    if digest.at_risk:
        sections.append((_t(language, "at_risk"), [_kr_line(kr, result.as_of, language) for kr in digest.at_risk]))
    if digest.stale:
        title = _t(language, "stale", days=config.email.stale_after_days)
        sections.append((title, [_kr_line(kr, result.as_of, language) for kr in digest.stale]))
    if digest.issues:
        sections.append((_t(language, "issues"), [_issue_line(i, language) for i in digest.issues]))
    return sections


def _department_heading(department: DepartmentResult, language: str) -> str:
    status = status_label(department.status, language) if department.readable else _t(language, "unreadable")
    return _t(language, "department", name=department.name, score=_department_score(department, language), status=status)


def owner_subject(digests: list[DepartmentDigest], result: RollupResult, language: str) -> str:
    counts = (
        ("part_at_risk", sum(len(d.at_risk) for d in digests)),
        ("part_stale", sum(len(d.stale) for d in digests)),
        ("part_issues", sum(len(d.issues) for d in digests)),
    )
    parts = ", ".join(_t(language, key, n=n) for key, n in counts if n)
    names = ", ".join(d.department.name for d in digests)
    return _t(language, "subject_owner", quarter=result.quarter, names=names, parts=parts)


def owner_text(digests: list[DepartmentDigest], result: RollupResult, config: Config) -> str:
    language = config.language
    lines = [
        _t(language, "greeting"), "",
        _t(language, "intro", company=result.company, date=_day(result.as_of, language), quarter=result.quarter),
    ]
    for digest in digests:
        lines += ["", _department_heading(digest.department, language)]
        for title, items in _sections(digest, result, config):
            lines += ["", f"{title}:", *(f"  - {item}" for item in items)]
    lines += ["", "--", _t(language, "footer")]
    return "\n".join(lines) + "\n"


def owner_html(digests: list[DepartmentDigest], result: RollupResult, config: Config) -> str:
    language = config.language
    e = html.escape
    body = [
        f"<p>{e(_t(language, 'greeting'))}</p>",
        f"<p>{e(_t(language, 'intro', company=result.company, date=_day(result.as_of, language), quarter=result.quarter))}</p>",
    ]
    for digest in digests:
        body.append(f"<h2>{e(_department_heading(digest.department, language))}</h2>")
        for title, items in _sections(digest, result, config):
            body.append(f"<h3>{e(title)}</h3>")
            body.append("<ul>" + "".join(f"<li>{e(item)}</li>" for item in items) + "</ul>")
    body.append(f'<p style="color:#666;font-size:small">{e(_t(language, "footer"))}</p>')
    return _html_page(language, body)


def _html_page(language: str, body: list[str]) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{_lang(language)}"><head><meta charset="utf-8"></head>'
        '<body style="font-family:Arial,Helvetica,sans-serif">\n' + "\n".join(body) + "\n</body></html>\n"
    )


# ---------------------------------------------------------------- admin message


def _status_counts(department: DepartmentResult) -> dict[str, int]:
    return department.count_by_status()


def _counts_text(counts: dict[str, int], language: str) -> str:
    return ", ".join(f"{status_label(s, language)} {counts[s]}" for s in STATUSES)


def _admin_rows(result: RollupResult, language: str) -> list[list[str]]:
    rows = []
    for department in result.departments:
        counts = _status_counts(department)
        status = status_label(department.status, language) if department.readable else _t(language, "unreadable")
        rows.append([
            department.name, _department_score(department, language), status,
            *(str(counts[s]) for s in STATUSES), str(len(result.issues_for(department.key))),
        ])
    return rows


def _admin_header(language: str) -> list[str]:
    return [
        _t(language, "col_department"), _t(language, "col_score"), _t(language, "col_status"),
        *(status_label(s, language) for s in STATUSES), _t(language, "col_issues"),
    ]


def _totals(result: RollupResult, language: str) -> str:
    counts = {s: 0 for s in STATUSES}
    for department in result.departments:
        for status, n in _status_counts(department).items():
            counts[status] += n
    return _t(language, "totals", krs=len(result.key_results), counts=_counts_text(counts, language), issues=len(result.issues))


def _company_line(result: RollupResult, language: str) -> str:
    return _t(
        language, "company", score=_percent(result.score), grade=grade_label(result.grade, language),
        status=status_label(result.status, language), expected=_percent(result.expected),
    )


def admin_subject(result: RollupResult, language: str) -> str:
    return _t(
        language, "subject_admin", quarter=result.quarter, company=result.company,
        date=_day(result.as_of, language), score=_percent(result.score), status=status_label(result.status, language),
    )


def admin_text(result: RollupResult, language: str) -> str:
    header = _admin_header(language)
    lines = [
        _t(language, "admin_intro", company=result.company, date=_day(result.as_of, language), quarter=result.quarter),
        "", _company_line(result, language), "",
    ]
    for row in _admin_rows(result, language):
        details = "; ".join(f"{name} {value}" for name, value in zip(header[3:], row[3:]))
        lines.append(f"- {row[0]}: {row[1]} ({row[2]}); {details}")
    lines += ["", _totals(result, language)]
    if result.errors:
        lines += ["", _t(language, "errors"), *(f"  - {error}" for error in result.errors)]
    if result.summary_path:
        lines += ["", _t(language, "summary", path=result.summary_path)]
    lines += ["", "--", _t(language, "admin_footer")]
    return "\n".join(lines) + "\n"


def admin_html(result: RollupResult, language: str) -> str:
    e = html.escape
    cell = 'style="border:1px solid #999;padding:4px 8px"'
    head = "".join(f"<th {cell}>{e(h)}</th>" for h in _admin_header(language))
    rows = "".join(
        "<tr>" + "".join(f"<td {cell}>{e(v)}</td>" for v in row) + "</tr>" for row in _admin_rows(result, language)
    )
    body = [
        f"<p>{e(_t(language, 'admin_intro', company=result.company, date=_day(result.as_of, language), quarter=result.quarter))}</p>",
        f"<p><b>{e(_company_line(result, language))}</b></p>",
        f'<table style="border-collapse:collapse"><tr>{head}</tr>{rows}</table>',
        f"<p>{e(_totals(result, language))}</p>",
    ]
    if result.errors:
        body.append(f"<p>{e(_t(language, 'errors'))}</p><ul>" + "".join(f"<li>{e(x)}</li>" for x in result.errors) + "</ul>")
    if result.summary_path:
        body.append(f"<p>{e(_t(language, 'summary', path=result.summary_path))}</p>")
    body.append(f'<p style="color:#666;font-size:small">{e(_t(language, "admin_footer"))}</p>')
    return _html_page(language, body)


# ---------------------------------------------------------------- messages


def _message(config: Config, recipients: Iterable[str], subject: str, text: str, html_text: str) -> EmailMessage:
    sender = config.email.sender
    msg = EmailMessage()
    msg["Subject"] = subject
    if sender:  # required by the config whenever the digest is enabled
        msg["From"] = Address(display_name=_t(config.language, "sender_name", company=config.company), addr_spec=sender)
    msg["To"] = ", ".join(recipients)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies
    msg.set_content(text, charset="utf-8", cte="quoted-printable")
    msg.add_alternative(html_text, subtype="html", charset="utf-8", cte="quoted-printable")
    msg["Content-Language"] = _lang(config.language)  # after the parts: set_content drops Content-* headers
    return msg


def build_messages(config: Config, result: RollupResult) -> list[EmailMessage]:
    """Every digest message for this rollup: one per owner with something to report, one overview for the admins."""
    messages = []
    for owner, digests in owner_digests(config, result).items():
        messages.append(_message(
            config, [owner], owner_subject(digests, result, config.language),
            owner_text(digests, result, config), owner_html(digests, result, config),
        ))
    if config.admin_emails:
        messages.append(_message(
            config, config.admin_emails, admin_subject(result, config.language),
            admin_text(result, config.language), admin_html(result, config.language),
        ))
    return messages


# ---------------------------------------------------------------- sending


@dataclass(frozen=True)
class DigestOutcome:
    sent: int
    problems: tuple[str, ...] = ()


def smtp_password(config: Config) -> str | None:
    return os.environ.get(config.email.password_env) or None


def _connect(config: Config, password: str | None, timeout: float) -> smtplib.SMTP:
    email = config.email
    if email.tls == "ssl":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(email.smtp_host, email.smtp_port, timeout=timeout, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(email.smtp_host, email.smtp_port, timeout=timeout)
    try:
        if email.tls == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        if email.username:
            smtp.login(email.username, password or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def _why(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"{exc.smtp_code} {text}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{rcpt}: {code} {msg.decode('utf-8', 'replace')}" for rcpt, (code, msg) in exc.recipients.items())
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


def _send_all(smtp: smtplib.SMTP, messages: list[EmailMessage], sender: str) -> tuple[int, list[str]]:
    sent, problems = 0, []
    for msg in messages:
        to = msg["To"]
        try:
            refused = smtp.send_message(msg, from_addr=sender)
        except smtplib.SMTPServerDisconnected as exc:
            problems.append(f"the SMTP server closed the connection while sending to {to}: {_why(exc)}")
            break
        except (smtplib.SMTPException, OSError) as exc:
            problems.append(f"not sent to {to}: {_why(exc)}")
            continue
        sent += 1
        for rcpt, (code, text) in refused.items():
            problems.append(f"not delivered to {rcpt}: {code} {text.decode('utf-8', 'replace')}")
    return sent, problems


def send_digest(config: Config, result: RollupResult, *, password: str | None = None, timeout: float = SMTP_TIMEOUT) -> DigestOutcome:
    """Build and send the digest over one SMTP connection; never raises for SMTP or network trouble.

    Problems (server down, login refused, a recipient refused) are logged and
    returned in :class:`DigestOutcome`; the password is never part of them.
    """
    messages = build_messages(config, result)
    if not messages:
        log.info("e-mail digest: nothing to report, no message sent")
        return DigestOutcome(0)
    email = config.email
    password = password if password is not None else smtp_password(config)
    if email.username and not password:
        problem = f"email.username is set but the environment variable {email.password_env} is empty; no e-mail sent"
        log.warning("e-mail digest: %s", problem)
        return DigestOutcome(0, (problem,))
    try:
        smtp = _connect(config, password, timeout)
    except (smtplib.SMTPException, OSError) as exc:
        problem = f"cannot send via {email.smtp_host}:{email.smtp_port} ({email.tls}): {_why(exc)}; {len(messages)} message(s) not sent"
        log.warning("e-mail digest: %s", problem)
        return DigestOutcome(0, (problem,))
    try:
        sent, problems = _send_all(smtp, messages, email.sender)
    finally:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()
    for problem in problems:
        log.warning("e-mail digest: %s", problem)
    log.info("e-mail digest: %d of %d message(s) sent via %s:%d", sent, len(messages), email.smtp_host, email.smtp_port)
    return DigestOutcome(sent, tuple(problems))
