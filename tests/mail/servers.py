"""Real mail servers for the tests: Dovecot (IMAP) and aiosmtpd (SMTP), one each per session.

Dovecot runs as its own process on a free port with a throw-away configuration, mail
directory and passwd-file user; each test works in a folder of its own, so one server
serves the whole session.
"""

from __future__ import annotations

import ctypes
import getpass
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from aiosmtpd.controller import Controller
from imap_tools import MailBoxUnencrypted

DOVECOT = "/usr/sbin/dovecot"
USER, PASSWORD = "desk", "imap-secret"
ENSURE = Path(__file__).resolve().parents[2] / "scripts" / "ensure_dovecot.sh"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:
    """Linux: the server gets SIGTERM when the test process dies, however it dies."""
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def write_self_signed(cert_path: Path, key_path: Path) -> None:
    """A certificate nobody trusts, for the TLS listener (clients must refuse it)."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .sign(key, hashes.SHA256())
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


class Dovecot:
    def __init__(self) -> None:
        if not os.path.exists(DOVECOT):
            subprocess.run(["bash", str(ENSURE)], check=True)
        self.root = Path(tempfile.mkdtemp(prefix="tierdesk-dovecot-"))
        self.port = free_port()
        self.tls_port = free_port()
        self.process: subprocess.Popen | None = None

    def config(self) -> str:
        me = getpass.getuser()
        uid, gid = self.mail_ids()
        login_user = "dovenull" if os.getuid() == 0 else me
        internal_user = "dovecot" if os.getuid() == 0 else me
        r = self.root
        return f"""
protocols = imap
listen = 127.0.0.1
base_dir = {r}/run
state_dir = {r}/state
log_path = {r}/dovecot.log
info_log_path = {r}/dovecot.log
ssl = yes
ssl_cert = <{r}/cert.pem
ssl_key = <{r}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal_user}
default_login_user = {login_user}
first_valid_uid = 0
mail_location = maildir:{r}/mail/%u
mail_privileged_group =
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {r}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={r}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.tls_port}
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""

    @staticmethod
    def mail_ids() -> tuple[int, int]:
        """Dovecot never reads mail as root: as root, the mail belongs to `nobody`."""
        if os.getuid() != 0:
            return os.getuid(), os.getgid()
        nobody = pwd.getpwnam("nobody")
        return nobody.pw_uid, nobody.pw_gid

    def start(self) -> Dovecot:
        uid, gid = self.mail_ids()
        for sub in ("run", "state", "mail", "home"):
            (self.root / sub).mkdir(mode=0o755)
            if sub in ("mail", "home"):
                os.chown(self.root / sub, uid, gid)
        os.chmod(self.root, 0o755)  # noqa: S103 - the unprivileged mail user reads it
        write_self_signed(self.root / "cert.pem", self.root / "key.pem")
        (self.root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
        conf = self.root / "dovecot.conf"
        conf.write_text(self.config())
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            preexec_fn=_die_with_parent,  # noqa: PLW1509 - a killed test run leaves no server
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Dovecot exited: {self.process.stderr.read().decode()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("Dovecot did not start listening")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.root, ignore_errors=True)

    def client(self, folder: str = "INBOX") -> MailBoxUnencrypted:
        return MailBoxUnencrypted("127.0.0.1", self.port).login(USER, PASSWORD, folder)

    def create_folder(self, folder: str) -> None:
        with self.client() as box:
            box.folder.create(folder)

    def deliver(self, folder: str, raw: bytes) -> None:
        """What an MTA would do: put the mail into the folder (IMAP APPEND)."""
        with self.client() as box:
            box.append(raw, folder, flag_set=())

    def uids(self, folder: str, criteria: str = "ALL") -> list[str]:
        with self.client(folder) as box:
            return box.uids(criteria)


class _Collect:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        with self.arrived:
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
            self.arrived.notify_all()
        return "250 OK"


class SmtpServer:
    """aiosmtpd in a thread: receives what Tierdesk sends."""

    def __init__(self) -> None:
        self.handler = _Collect()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    @property
    def messages(self):
        return self.handler.messages

    def clear(self) -> None:
        self.handler.messages.clear()
