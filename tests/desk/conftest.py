import pytest

from tickets.services import ticket_create


@pytest.fixture
def make_ticket():
    def make(requester, subject="Printer on fire", **kwargs):
        kwargs.setdefault("description", "It **burns**.")
        return ticket_create(requester=requester, subject=subject, **kwargs)

    return make
