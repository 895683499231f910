"""Mail in, read from a real Dovecot: tickets, threaded replies, loops, noise, malformed mail."""

import pytest
from django.core import mail as django_mail

from accounts.models import Role, User
from escalation.models import Notification, NotificationKind
from mail.models import FailingAddress, ForeignReplies, InboundMail, Outcome, UnknownSenders
from mail.outbound import notification_email
from mail.services.polling import mailbox_poll
from tests.conftest import PNG_BYTES
from tests.mail.mails import bounce, mail, new_id, zip_bomb
from tickets.models import Reply, Ticket
from tickets.services import ticket_create, ticket_reply

pytestmark = pytest.mark.django_db


def poll(mailbox):
    result = mailbox_poll(mailbox_id=mailbox.pk)
    assert not result.error, result.error
    return result


def only_ticket() -> Ticket:
    return Ticket.objects.get()


def test_customer_mail_becomes_a_ticket_with_files_and_is_flagged(
    dovecot, folder, desk_mailbox, alice, l1tech
):
    dovecot.deliver(
        folder,
        mail(
            subject="Printer jams",
            text="The printer on floor 2 jams.",
            html="<p>The printer on <b>floor 2</b> jams.</p><script>alert(1)</script>",
            attachments=[("jam.png", "image/png", PNG_BYTES)],
        ),
    )
    assert poll(desk_mailbox).outcomes == {Outcome.TICKET: 1}
    ticket = only_ticket()
    assert (ticket.requester, ticket.subject) == (alice, "Printer jams")
    assert ticket.description == "The printer on floor 2 jams."
    assert [a.filename for a in ticket.attachments.all()] == ["jam.png"]
    row = InboundMail.objects.get()
    assert row.ticket == ticket and row.original.read().startswith(b"From: alice@example.com")
    # Marked on the server (never deleted): the next poll reads nothing.
    assert dovecot.uids(folder, "KEYWORD Tierdesk SEEN") == dovecot.uids(folder)
    assert poll(desk_mailbox).fetched == 0
    assert Ticket.objects.count() == 1


def test_html_only_mail_becomes_sanitised_markdown(dovecot, folder, desk_mailbox, alice):
    html = (
        "<html><head><style>p{color:red}</style></head><body><p>Hello <b>desk</b>,</p>"
        '<ul><li>VPN down</li></ul><a href="javascript:alert(1)">click</a>'
        '<img src="http://tracker.example/x.gif" onerror="alert(1)"></body></html>'
    )
    dovecot.deliver(folder, mail(text=None, html=html))
    poll(desk_mailbox)
    description = only_ticket().description
    assert "Hello **desk**," in description and "- VPN down" in description
    assert "javascript" not in description and "tracker" not in description
    assert "color" not in description


def desk_notification(ticket, user):
    """The mail the desk sent to `user` about the last reply (as the customer got it)."""
    row = Notification.objects.filter(recipient=user, kind=NotificationKind.REPLY).latest("id")
    return row, notification_email(row).message()


def test_reply_threads_on_the_desks_message_id_quotes_stripped_original_kept(
    dovecot, folder, desk_mailbox, alice, l1tech
):
    ticket = ticket_create(requester=alice, subject="VPN", description="VPN drops.")
    ticket_reply(ticket=ticket, author=l1tech, body="Please restart the client.")
    _row, sent = desk_notification(ticket, alice)
    quoted = "\n".join(f"> {line}" for line in sent.get_payload()[0].get_payload().splitlines())
    dovecot.deliver(
        folder,
        mail(
            subject=f"Re: {sent['Subject']}",
            text=f"That fixed it, thanks!\n\nBest regards\nAlice\n\n"
            f"On Tue, 1 Dec 2026 at 10:00, Tierdesk <helpdesk@localhost> wrote:\n{quoted}\n",
            headers={"In-Reply-To": sent["Message-ID"], "References": sent["Message-ID"]},
        ),
    )
    assert poll(desk_mailbox).outcomes == {Outcome.REPLY: 1}
    reply = Reply.objects.filter(ticket=ticket, author=alice).get()
    assert reply.body == "That fixed it, thanks!"
    row = InboundMail.objects.get(reply=reply)
    assert b"Please restart the client." in row.original.read()  # the full original, for staff
    # A customer's mail is owed an answer like a reply in the browser: the clock runs.
    ticket.refresh_from_db()
    assert ticket.next_response_due_at is not None


def test_german_quote_header_is_stripped(dovecot, folder, desk_mailbox, gina, l1tech):
    ticket = ticket_create(requester=gina, subject="Drucker", description="Stau.")
    ticket_reply(ticket=ticket, author=l1tech, body="Bitte Fach 2 öffnen.")
    _row, sent = desk_notification(ticket, gina)
    dovecot.deliver(
        folder,
        mail(
            sender="gina@example.com",
            subject=f"AW: {sent['Subject']}",
            text="Danke, geht wieder.\n\nMit freundlichen Grüßen\nGina\n\n"
            "Am 01.12.2026 um 10:00 schrieb Tierdesk <helpdesk@localhost>:\n"
            "> Bitte Fach 2 öffnen.\n",
            headers={"In-Reply-To": sent["Message-ID"]},
        ),
    )
    poll(desk_mailbox)
    assert Reply.objects.get(ticket=ticket, author=gina).body == "Danke, geht wieder."


def test_reply_token_address_with_subject_tag_threads(dovecot, folder, desk_mailbox, alice):
    ticket = ticket_create(requester=alice, subject="VPN", description="VPN drops.")
    from mail.addresses import reply_address

    dovecot.deliver(
        folder,
        mail(to=reply_address(ticket.pk), subject=f"[{ticket.reference}] more", text="Again."),
    )
    assert poll(desk_mailbox).outcomes == {Outcome.REPLY: 1}
    assert ticket.replies.get().body == "Again."


def test_forged_subject_tag_cannot_add_to_someone_elses_ticket(
    dovecot, folder, desk_mailbox, alice, bob
):
    ticket = ticket_create(requester=alice, subject="Payroll", description="Secret.")
    dovecot.deliver(
        folder,
        mail(sender="bob@example.com", subject=f"Re: [{ticket.reference}] Payroll", text="Me!"),
    )
    # Also with a made-up token in the address and Message-ID.
    fake = f"helpdesk+{ticket.reference}.{'0' * 16}@localhost"
    dovecot.deliver(
        folder,
        mail(
            sender="bob@example.com",
            to=fake,
            subject=f"[{ticket.reference}]",
            headers={"In-Reply-To": f"<n1.{ticket.reference}.{'0' * 16}@localhost>"},
        ),
    )
    # Alice herself with only the subject tag: a subject alone never threads.
    dovecot.deliver(folder, mail(subject=f"[{ticket.reference}] Payroll", text="Tag only."))
    assert poll(desk_mailbox).outcomes == {Outcome.TICKET: 3}
    assert not ticket.replies.exists()
    assert set(
        Ticket.objects.exclude(pk=ticket.pk).values_list("requester__username", flat=True)
    ) == {"bob", "alice"}


@pytest.mark.parametrize("setting", [ForeignReplies.NEW_TICKET, ForeignReplies.REFUSE])
def test_reply_from_someone_who_may_not_see_the_ticket(
    dovecot, folder, desk_mailbox, alice, gina, l1tech, setting, django_capture_on_commit_callbacks
):
    desk_mailbox.foreign_replies = setting
    desk_mailbox.save()
    ticket = ticket_create(requester=alice, subject="VPN", description="VPN drops.")
    ticket_reply(ticket=ticket, author=l1tech, body="Please restart.")
    _row, sent = desk_notification(ticket, alice)
    # Gina got the mail forwarded and answers it.
    dovecot.deliver(
        folder,
        mail(
            sender="gina@example.com",
            to=sent["Reply-To"],
            subject=f"Re: {sent['Subject']}",
            headers={"In-Reply-To": sent["Message-ID"]},
        ),
    )
    django_mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        result = poll(desk_mailbox)
    assert not ticket.replies.filter(author=gina).exists()
    if setting == ForeignReplies.NEW_TICKET:
        assert result.outcomes == {Outcome.TICKET: 1}
        assert Ticket.objects.filter(requester=gina).count() == 1
    else:
        assert result.outcomes == {Outcome.REFUSED: 1}
        assert not Ticket.objects.filter(requester=gina).exists()
        (refusal,) = [m for m in django_mail.outbox if m.to == ["gina@example.com"]]
        assert refusal.extra_headers["Auto-Submitted"] == "auto-replied"


def test_unknown_sender_refused_politely_or_created_in_the_organisation(
    dovecot, folder, desk_mailbox, acme, django_capture_on_commit_callbacks
):
    dovecot.deliver(folder, mail(sender="Zed Stranger <zed@outside.example>", subject="Hi"))
    django_mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert poll(desk_mailbox).outcomes == {Outcome.REFUSED: 1}
    assert not Ticket.objects.exists() and not User.objects.filter(email="zed@outside.example")
    (refusal,) = django_mail.outbox
    assert refusal.to == ["zed@outside.example"] and refusal.subject == "Re: Hi"
    assert refusal.extra_headers["Auto-Submitted"] == "auto-replied"

    desk_mailbox.unknown_senders = UnknownSenders.CREATE
    desk_mailbox.save()
    dovecot.deliver(folder, mail(sender="Zed Stranger <zed@outside.example>", subject="Again"))
    assert poll(desk_mailbox).outcomes == {Outcome.TICKET: 1}
    zed = User.objects.get(email="zed@outside.example")
    assert (zed.role, zed.organisation, zed.first_name) == (Role.CUSTOMER, acme, "Zed")
    assert not zed.has_usable_password()
    assert only_ticket().requester == zed


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Precedence": "bulk"},
        {"Precedence": "list"},
        {"X-Autoreply": "yes"},
        {"List-Id": "<news.example.com>"},
    ],
)
def test_automatic_and_bulk_mail_never_creates_or_answers(
    dovecot, folder, desk_mailbox, alice, l1tech, headers, django_capture_on_commit_callbacks
):
    ticket = ticket_create(requester=alice, subject="VPN", description="VPN drops.")
    ticket_reply(ticket=ticket, author=l1tech, body="Please restart.")
    _row, sent = desk_notification(ticket, alice)
    # An out-of-office answer to the desk's own mail, and one from a stranger.
    dovecot.deliver(
        folder,
        mail(
            subject="Out of office",
            headers={**headers, "In-Reply-To": sent["Message-ID"]},
        ),
    )
    dovecot.deliver(folder, mail(sender="robot@outside.example", headers=headers))
    django_mail.outbox.clear()
    notifications = Notification.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        assert poll(desk_mailbox).outcomes == {Outcome.AUTOMATIC: 2}
    assert ticket.replies.count() == 1 and Ticket.objects.count() == 1
    assert django_mail.outbox == [] and Notification.objects.count() == notifications


def test_bounce_marks_the_address_failing_and_changes_nothing_else(
    dovecot, folder, desk_mailbox, alice, django_capture_on_commit_callbacks
):
    dovecot.deliver(folder, bounce(failed="alice@example.com"))
    django_mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert poll(desk_mailbox).outcomes == {Outcome.BOUNCE: 1}
    failing = FailingAddress.objects.get()
    assert failing.email == "alice@example.com" and failing.bounces == 1
    assert not Ticket.objects.exists() and django_mail.outbox == []


def test_sender_rate_limit_stops_a_loop(dovecot, folder, desk_mailbox, alice, settings):
    settings.TIERDESK_MAIL_SENDER_LIMIT_PER_HOUR = 3
    for n in range(5):
        dovecot.deliver(folder, mail(subject=f"Loop {n}"))
    assert poll(desk_mailbox).outcomes == {Outcome.TICKET: 3, Outcome.RATE_LIMITED: 2}
    assert Ticket.objects.count() == 3


def test_duplicate_delivery_is_taken_once(dovecot, folder, desk_mailbox, alice):
    raw = mail(message_id=new_id())
    dovecot.deliver(folder, raw)
    dovecot.deliver(folder, raw)
    result = poll(desk_mailbox)
    assert (result.fetched, result.duplicates) == (2, 1)
    assert Ticket.objects.count() == 1
    # Mail without a Message-ID: the same bytes are the same mail.
    bare = mail().replace(b"Message-ID:", b"X-Was-Message-ID:")
    dovecot.deliver(folder, bare)
    dovecot.deliver(folder, bare)
    poll(desk_mailbox)
    assert Ticket.objects.count() == 2


def test_crash_between_taking_in_and_marking_processes_nothing_twice(
    dovecot, folder, desk_mailbox, alice
):
    for n in range(3):
        dovecot.deliver(folder, mail(subject=f"Batch {n}"))
    poll(desk_mailbox)
    assert Ticket.objects.count() == 3
    # The state a crash after the commits but before the marking leaves: rows, no flags.
    with dovecot.client(folder) as box:
        box.flag(box.uids(), ["Tierdesk", "\\Seen"], False)
    dovecot.deliver(folder, mail(subject="Batch 3"))
    result = poll(desk_mailbox)
    assert (result.fetched, result.duplicates) == (4, 3)
    assert Ticket.objects.count() == 4
    assert dovecot.uids(folder, "NOT KEYWORD Tierdesk") == []


def test_crash_mid_batch_resumes_where_it_stopped(
    dovecot, folder, desk_mailbox, alice, monkeypatch
):
    """The IMAP connection dies after the second mail was taken in, before it was marked."""
    from mail.services import polling

    for n in range(4):
        dovecot.deliver(folder, mail(subject=f"Batch {n}"))
    real_mark, marked = polling._mark, []

    def dying_mark(client, mailbox, uid):
        if len(marked) == 1:
            client.client.shutdown()  # the connection is gone, as in a crash
            raise ConnectionError("connection lost")
        marked.append(uid)
        real_mark(client, mailbox, uid)

    monkeypatch.setattr(polling, "_mark", dying_mark)
    result = mailbox_poll(mailbox_id=desk_mailbox.pk)
    assert result.error  # the poll stopped there
    assert Ticket.objects.count() == 2
    monkeypatch.setattr(polling, "_mark", real_mark)
    result = poll(desk_mailbox)
    assert (result.fetched, result.duplicates) == (3, 1)
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == [
        f"Batch {n}" for n in range(4)
    ]


def test_malformed_mail_is_quarantined_with_its_reason_and_the_next_goes_on(
    dovecot, folder, desk_mailbox, alice, settings
):
    bad_encoding = mail(text="placeholder").replace(b"placeholder", b"caf\xe9 \xff\xfe")
    unknown_charset = mail(text="hello").replace(b'charset="utf-8"', b'charset="x-klingon"')
    huge_headers = mail().replace(b"Subject:", b"X-Junk: " + b"a" * 150_000 + b"\r\nSubject:")
    no_from = mail(sender="")
    bomb = mail(attachments=[("logs.zip", "application/zip", zip_bomb())])
    big = mail(attachments=[("dump.txt", "text/plain", b"x" * (30 * 1024 * 1024))])
    cases = [bad_encoding, unknown_charset, huge_headers, no_from, bomb, big]
    for raw in cases:
        dovecot.deliver(folder, raw)
    dovecot.deliver(folder, mail(subject="A good one"))
    result = poll(desk_mailbox)
    assert result.outcomes == {Outcome.QUARANTINED: 6, Outcome.TICKET: 1}
    assert only_ticket().subject == "A good one"
    reasons = list(
        InboundMail.objects.filter(outcome=Outcome.QUARANTINED)
        .order_by("id")
        .values_list("reason", flat=True)
    )
    assert "not valid utf-8" in reasons[0]
    assert "x-klingon" in reasons[1]
    assert "headers are" in reasons[2]
    assert "no usable From" in reasons[3]
    assert "zip bomb" in reasons[4]
    assert "limit" in reasons[5]
    assert dovecot.uids(folder, "NOT KEYWORD Tierdesk") == []


def test_attachments_the_upload_checks_refuse_are_left_out_and_named(
    dovecot, folder, desk_mailbox, alice
):
    dovecot.deliver(
        folder,
        mail(
            attachments=[
                ("jam.png", "image/png", PNG_BYTES),
                ("macro.exe", "application/octet-stream", b"MZ\x90\x00" * 100),
                ("fake.pdf", "application/pdf", PNG_BYTES),
            ]
        ),
    )
    assert poll(desk_mailbox).outcomes == {Outcome.TICKET: 1}
    ticket = only_ticket()
    assert [a.filename for a in ticket.attachments.all()] == ["jam.png"]
    assert "Attachments not taken" in ticket.description
    assert "macro.exe" in ticket.description and "fake.pdf" in ticket.description


def test_answer_to_a_closed_ticket_opens_a_follow_up(dovecot, folder, desk_mailbox, alice, l1tech):
    from mail.addresses import reply_address
    from tickets.models import Status

    ticket = ticket_create(requester=alice, subject="VPN", description="VPN drops.")
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.CLOSED)
    dovecot.deliver(folder, mail(to=reply_address(ticket.pk), subject="Re: VPN", text="Again!"))
    assert poll(desk_mailbox).outcomes == {Outcome.TICKET: 1}
    follow_up = Ticket.objects.exclude(pk=ticket.pk).get()
    assert follow_up.subject == f"Follow-up to {ticket.reference}: VPN"
    assert not ticket.replies.exists()


def test_the_desks_own_mail_coming_back_is_ignored(dovecot, folder, desk_mailbox, alice, l1tech):
    """A notification that lands in the desk's own mailbox (a customer forwarding to the desk
    address, a CC) must not become a reply: the desk would talk to itself."""
    ticket = ticket_create(requester=alice, subject="VPN", description="VPN drops.")
    ticket_reply(ticket=ticket, author=l1tech, body="Please restart.")
    _row, sent = desk_notification(ticket, alice)
    dovecot.deliver(folder, sent.as_bytes())
    dovecot.deliver(folder, mail(sender="Tierdesk <helpdesk+HD-000001.x@localhost>", subject="x"))
    assert poll(desk_mailbox).outcomes == {Outcome.AUTOMATIC: 2}
    assert ticket.replies.count() == 1 and Ticket.objects.count() == 1


def test_html_nested_too_deeply_is_quarantined_and_the_next_goes_on(
    dovecot, folder, desk_mailbox, alice
):
    dovecot.deliver(folder, mail(text=None, html="<p>" + "<b>" * 5000 + "deep"))
    dovecot.deliver(folder, mail(subject="After the deep one"))
    assert poll(desk_mailbox).outcomes == {Outcome.QUARANTINED: 1, Outcome.TICKET: 1}
    assert "nested too deeply" in InboundMail.objects.get(outcome=Outcome.QUARANTINED).reason
    assert only_ticket().subject == "After the deep one"


def test_a_defect_on_one_mail_quarantines_it_and_the_next_goes_on(
    dovecot, folder, desk_mailbox, alice, monkeypatch
):
    """Whatever unforeseen error one mail raises, the mailbox is not blocked behind it."""
    from mail import parsing

    real = parsing.html_to_markdown

    def broken(html):
        if "poison" in html:
            raise IndexError("unforeseen")
        return real(html)

    monkeypatch.setattr(parsing, "html_to_markdown", broken)
    dovecot.deliver(folder, mail(text=None, html="<p>poison</p>"))
    dovecot.deliver(folder, mail(subject="Fine"))
    assert poll(desk_mailbox).outcomes == {Outcome.QUARANTINED: 1, Outcome.TICKET: 1}
    assert "IndexError" in InboundMail.objects.get(outcome=Outcome.QUARANTINED).reason


def test_refusals_are_capped_so_forged_senders_get_no_backscatter(
    dovecot, folder, desk_mailbox, settings, django_capture_on_commit_callbacks
):
    settings.TIERDESK_MAIL_REFUSALS_PER_HOUR = 2
    for n in range(4):
        dovecot.deliver(folder, mail(sender=f"victim{n}@outside.example", subject="Spam"))
    django_mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert poll(desk_mailbox).outcomes == {Outcome.REFUSED: 4}
    assert [m.to for m in django_mail.outbox] == [
        ["victim0@outside.example"],
        ["victim1@outside.example"],
    ]
