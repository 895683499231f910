"""Background work of the accounts app: password-reset mail, off the request."""

from celery import shared_task

from .services import password_reset_send


@shared_task(acks_late=True, ignore_result=True)
def send_password_reset(email: str, domain: str, use_https: bool) -> None:
    password_reset_send(email=email, domain=domain, use_https=use_https)
