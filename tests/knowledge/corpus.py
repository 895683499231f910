"""A small realistic knowledge base in English and German, and queries people type."""

ARTICLES = [
    # key, language, title, tags, body
    (
        "vpn",
        "en",
        "VPN connection drops every few minutes",
        "vpn, network, remote",
        "If the VPN client disconnects repeatedly, switch the protocol "
        "from UDP to TCP in the client settings and update the client to the latest version.",
    ),
    (
        "password",
        "en",
        "Reset your password",
        "account, login",
        "Use the self-service portal to reset a forgotten password. "
        "The new password must have twelve characters.",
    ),
    (
        "printer",
        "en",
        "Printer shows offline",
        "printing, hardware",
        "When a printer appears offline, restart the print spooler service "
        "and check the network cable.",
    ),
    (
        "outlook",
        "en",
        "Outlook does not sync mail",
        "email, exchange",
        "If Outlook stops synchronising, rebuild the offline cache: close "
        "Outlook, delete the OST file and start it again.",
    ),
    (
        "mfa",
        "en",
        "Set up two-factor authentication",
        "security, mfa, authenticator",
        "Install the authenticator app, scan the QR code shown "
        "after login and confirm with the six-digit code.",
    ),
    (
        "wifi",
        "en",
        "Wi-Fi keeps disconnecting on laptops",
        "wireless, network",
        "Disable power saving for the wireless adapter in the device "
        "manager and forget and rejoin the corporate network.",
    ),
    (
        "disk",
        "en",
        "Laptop disk is full",
        "storage, cleanup",
        "Run disk cleanup, empty the recycle bin and move large files to the network share.",
    ),
    (
        "teams",
        "en",
        "Microphone not working in Teams calls",
        "audio, teams, meetings",
        "Choose the right microphone under device settings in Teams "
        "and allow microphone access in the operating system's privacy settings.",
    ),
    (
        "license",
        "en",
        "Software licence expired",
        "licensing, software",
        "An expired licence is renewed by the service desk; send the "
        "product name and the error message.",
    ),
    (
        "slow",
        "en",
        "Computer is very slow after updates",
        "performance, windows update",
        "Restart twice after installing updates and check the "
        "task manager for processes that use a lot of memory.",
    ),
    (
        "drucker",
        "de",
        "Drucker druckt nicht",
        "drucken, hardware",
        "Wenn der Drucker keine Aufträge annimmt, starten Sie die "
        "Druckwarteschlange neu und prüfen Sie das Netzwerkkabel.",
    ),
    (
        "passwort",
        "de",
        "Passwort vergessen",
        "konto, anmeldung",
        "Ein vergessenes Passwort setzen Sie im Self-Service-Portal zurück. "
        "Das neue Passwort braucht zwölf Zeichen.",
    ),
    (
        "vpnde",
        "de",
        "VPN-Verbindung bricht ständig ab",
        "vpn, netzwerk, homeoffice",
        "Wenn die Verbindung immer wieder abbricht, stellen Sie das "
        "Protokoll von UDP auf TCP um und aktualisieren Sie den Client.",
    ),
    (
        "postfach",
        "de",
        "Postfach ist voll",
        "e-mail, speicher",
        "Archivieren Sie alte Nachrichten und leeren Sie den Ordner "
        "gelöschte Elemente, damit Sie wieder Mails empfangen.",
    ),
    (
        "bildschirm",
        "de",
        "Zweiter Bildschirm wird nicht erkannt",
        "monitor, docking",
        "Schließen Sie den Monitor direkt an, aktualisieren Sie den "
        "Grafiktreiber und wählen Sie in den Anzeigeeinstellungen Erweitern.",
    ),
    (
        "zugang",
        "de",
        "Kein Zugriff auf freigegebene Ordner",
        "berechtigungen, laufwerk",
        "Fehlende Berechtigungen für Netzlaufwerke beantragt Ihr Vorgesetzter beim Service Desk.",
    ),
    (
        "rechner",
        "de",
        "Rechner startet nach Updates sehr langsam",
        "leistung, updates",
        "Starten Sie nach der Installation von Aktualisierungen zweimal "
        "neu und prüfen Sie im Task-Manager die Speicherauslastung.",
    ),
    (
        "kalender",
        "de",
        "Kalender wird nicht synchronisiert",
        "outlook, termine",
        "Entfernen Sie das Konto auf dem Smartphone und fügen Sie es neu "
        "hinzu, damit die Termine wieder synchronisiert werden.",
    ),
]

# query, language of the asker (None: any), expected article key
QUERIES = [
    ("vpn keeps dropping", None, "vpn"),
    ("VPN disconnects", "en", "vpn"),
    ("forgot my password", "en", "password"),
    ("reset password", None, "password"),
    ("printer offline", None, "printer"),
    ("printers offline", "en", "printer"),
    ("outlook not syncing", None, "outlook"),
    ("two factor authentication", "en", "mfa"),
    ("authenticator app", "en", "mfa"),
    ("wifi disconnecting", "en", "wifi"),
    ("disk full", "en", "disk"),
    ("microphone teams", "en", "teams"),
    ("licence expired", "en", "license"),
    ("slow computer", "en", "slow"),
    ("Druckers", "de", "drucker"),
    ("Drucker druckt keine Aufträge", "de", "drucker"),
    ("Passwörter vergessen", "de", "passwort"),
    ("VPN Verbindung abgebrochen", "de", "vpnde"),
    ("Postfächer voll", "de", "postfach"),
    ("Bildschirme nicht erkannt", "de", "bildschirm"),
    ("freigegebenen Ordnern", "de", "zugang"),
    ("Kalender synchronisieren", "de", "kalender"),
    ("Rechner langsam", "de", "rechner"),
    # typos: the trigram fallback
    ("pasword reset", "en", "password"),
    ("Outlok sync", "en", "outlook"),
    ("Druker", "de", "drucker"),
]
