#!/usr/bin/env bash
# Mail tests read from a real Dovecot IMAP server (started by the tests themselves on a
# port of their own, never the system service); install it when it is missing (needs root).
set -euo pipefail
if [ -x /usr/sbin/dovecot ]; then exit 0; fi
if [ "$(id -u)" != "0" ]; then
  echo "Dovecot is missing: run 'sudo apt-get install -y dovecot-imapd' once." >&2
  exit 1
fi
echo "Installing Dovecot for the mail tests..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq dovecot-imapd >/dev/null
# The package starts the system service where it can; the tests run their own.
(systemctl disable --now dovecot || service dovecot stop || true) >/dev/null 2>&1
