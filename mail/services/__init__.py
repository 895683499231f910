"""Every write of the mail app: mailboxes, taking mail in, polling."""
