"""Words for the demo desk (escalation.demo): people, organisations and what they write.

English and German, so both languages' users read their own tickets. Each text is a
(English, German) pair; the requester's language picks one, staff answer in it.
"""

from __future__ import annotations

from accounts.models import Role, Tier

# name: (time zone, share of the tickets)
ORGANISATIONS = {
    "Acme Corp": ("Europe/Berlin", 30),
    "Globex": ("America/New_York", 20),
    "Müller & Söhne Logistik": ("Europe/Berlin", 25),
    "Northwind Traders": ("Europe/London", 15),
    "Stadtwerke Lindau": ("Europe/Berlin", 10),
}

# Beside the standard cast (tickets.demo.CAST), who also works with the desk.
PEOPLE: list[dict] = [
    {"username": "carla", "first_name": "Carla", "last_name": "Diaz", "org": "Acme Corp"},
    {"username": "dmitri", "first_name": "Dmitri", "last_name": "Ivanov", "org": "Acme Corp"},
    {
        "username": "helena",
        "first_name": "Helena",
        "last_name": "Brandt",
        "org": "Acme Corp",
        "language": "de",
        "time_zone": "Europe/Berlin",
        "is_vip": True,
    },
    {"username": "hank", "first_name": "Hank", "last_name": "Scorpio", "org": "Globex"},
    {
        "username": "marge",
        "first_name": "Marjorie",
        "last_name": "Bouvier",
        "org": "Globex",
        "is_vip": True,
        "time_zone": "America/New_York",
    },
    {
        "username": "jmueller",
        "first_name": "Jürgen",
        "last_name": "Müller",
        "org": "Müller & Söhne Logistik",
        "language": "de",
        "time_zone": "Europe/Berlin",
        "is_vip": True,
    },
    {
        "username": "akaya",
        "first_name": "Ayşe",
        "last_name": "Kaya",
        "org": "Müller & Söhne Logistik",
        "language": "de",
        "time_zone": "Europe/Berlin",
        "is_organisation_contact": True,
    },
    {
        "username": "fschulz",
        "first_name": "Felix",
        "last_name": "Schulz",
        "org": "Müller & Söhne Logistik",
        "language": "de",
        "time_zone": "Europe/Berlin",
    },
    {
        "username": "oliver",
        "first_name": "Oliver",
        "last_name": "Hughes",
        "org": "Northwind Traders",
        "time_zone": "Europe/London",
    },
    {
        "username": "priya",
        "first_name": "Priya",
        "last_name": "Nair",
        "org": "Northwind Traders",
        "time_zone": "Europe/London",
    },
    {
        "username": "kweber",
        "first_name": "Katrin",
        "last_name": "Weber",
        "org": "Stadtwerke Lindau",
        "language": "de",
        "time_zone": "Europe/Berlin",
    },
    {
        "username": "thoffmann",
        "first_name": "Thomas",
        "last_name": "Hoffmann",
        "org": "Stadtwerke Lindau",
        "language": "de",
        "time_zone": "Europe/Berlin",
    },
    {
        "username": "jbecker",
        "first_name": "Jonas",
        "last_name": "Becker",
        "role": Role.TECHNICIAN,
        "tier": Tier.L1,
        "language": "de",
        "time_zone": "Europe/Berlin",
    },
    {
        "username": "sam",
        "first_name": "Samira",
        "last_name": "Okafor",
        "role": Role.TECHNICIAN,
        "tier": Tier.L1,
    },
    {
        "username": "sromano",
        "first_name": "Sofia",
        "last_name": "Romano",
        "role": Role.TECHNICIAN,
        "tier": Tier.L2,
    },
    {
        "username": "twagner",
        "first_name": "Tobias",
        "last_name": "Wagner",
        "role": Role.TECHNICIAN,
        "tier": Tier.L3,
        "language": "de",
        "time_zone": "Europe/Berlin",
    },
]

# category: [(subject en, subject de, description en, description de)]
ISSUES: dict[str, list[tuple[str, str, str, str]]] = {
    "Access & accounts": [
        (
            "Need access to the finance share",
            "Zugriff auf das Finanzlaufwerk benötigt",
            "I moved to controlling and need read/write on \\\\fs01\\finance.",
            "Ich bin ins Controlling gewechselt und brauche Schreibrechte auf \\\\fs01\\finanz.",
        ),
        (
            "Password reset link expired",
            "Link zum Zurücksetzen des Passworts abgelaufen",
            "The reset mail arrives after 20 minutes and the link is already expired.",
            "Die Mail kommt erst nach 20 Minuten an, dann ist der Link schon abgelaufen.",
        ),
        (
            "New starter needs an account",
            "Konto für neue Kollegin",
            "Our new colleague starts on Monday and needs mail, VPN and the CRM.",
            "Unsere neue Kollegin fängt Montag an und braucht Mail, VPN und das CRM.",
        ),
        (
            "Account locked after holiday",
            "Konto nach dem Urlaub gesperrt",
            "After two weeks off my account is locked and I cannot sign in anywhere.",
            "Nach zwei Wochen Urlaub ist mein Konto gesperrt, ich komme nirgends rein.",
        ),
    ],
    "E-mail": [
        (
            "Outlook keeps asking for my password",
            "Outlook fragt ständig nach dem Passwort",
            "Every few minutes Outlook asks for my password again, even when I tick 'remember'.",
            "Alle paar Minuten will Outlook erneut mein Passwort, obwohl 'merken' angehakt ist.",
        ),
        (
            "Shared mailbox not showing",
            "Gruppenpostfach wird nicht angezeigt",
            "The sales@ mailbox disappeared from my Outlook since yesterday.",
            "Das Postfach vertrieb@ ist seit gestern aus meinem Outlook verschwunden.",
        ),
        (
            "Mails to a customer bounce",
            "Mails an einen Kunden kommen zurück",
            "Everything I send to our biggest customer bounces with '550 5.7.1'.",
            "Alles an unseren größten Kunden kommt mit '550 5.7.1' zurück.",
        ),
    ],
    "Hardware": [
        (
            "Laptop will not boot",
            "Laptop startet nicht",
            "The laptop shows the logo and then a black screen. Restarting does not help.",
            "Der Laptop zeigt das Logo, dann bleibt der Bildschirm schwarz.",
        ),
        (
            "Docking station: no external monitors",
            "Dockingstation: keine externen Monitore",
            "Since the firmware update both monitors stay dark when docked.",
            "Seit dem Firmware-Update bleiben beide Monitore an der Dockingstation dunkel.",
        ),
        (
            "Monitor flickers",
            "Monitor flackert",
            "The left monitor flickers every few seconds, I get headaches.",
            "Der linke Monitor flackert alle paar Sekunden, ich bekomme Kopfschmerzen.",
        ),
    ],
    "Network": [
        (
            "VPN disconnects every few minutes",
            "VPN trennt alle paar Minuten",
            "Since this morning the VPN drops every 5 minutes, so calls and uploads fail.",
            "Seit heute Morgen trennt das VPN alle 5 Minuten, Uploads brechen ab.",
        ),
        (
            "Wi-Fi drops in meeting room 2",
            "WLAN bricht im Besprechungsraum 2 ab",
            "In meeting room 2 the Wi-Fi drops as soon as more than five people join.",
            "Im Besprechungsraum 2 bricht das WLAN ab, sobald mehr als fünf Leute drin sind.",
        ),
        (
            "Branch office offline",
            "Filiale offline",
            "Our branch cannot reach any internal system since 08:30.",
            "Unsere Filiale erreicht seit 08:30 keine internen Systeme mehr.",
        ),
    ],
    "Software": [
        (
            "Excel crashes when opening macro file",
            "Excel stürzt bei Makrodatei ab",
            "Opening the monthly report (with macros) crashes Excel every time.",
            "Beim Öffnen des Monatsberichts mit Makros stürzt Excel jedes Mal ab.",
        ),
        (
            "SAP transaction times out",
            "SAP-Transaktion bricht mit Timeout ab",
            "VA01 times out after 30 seconds, we cannot enter any orders.",
            "VA01 bricht nach 30 Sekunden ab, wir können keine Aufträge erfassen.",
        ),
        (
            "Teams calls drop after 5 minutes",
            "Teams-Anrufe brechen nach 5 Minuten ab",
            "Every Teams call drops after about five minutes, on Wi-Fi and on cable.",
            "Jeder Teams-Anruf bricht nach etwa fünf Minuten ab, im WLAN und am Kabel.",
        ),
        (
            "Trading terminal freezes at market open",
            "Handelsterminal friert zur Markteröffnung ein",
            "My terminal freezes for ~30 s at 09:00 every day. This costs us money.",
            "Mein Terminal friert jeden Tag um 09:00 für ~30 s ein. Das kostet uns Geld.",
        ),
    ],
    "Printing": [
        (
            "Printer on the 3rd floor jams",
            "Drucker im 3. Stock hat Papierstau",
            "The big printer near the kitchen jams on every duplex job.",
            "Der große Drucker an der Küche hat bei jedem Duplexdruck Papierstau.",
        ),
        (
            "Cannot print PDFs",
            "PDFs lassen sich nicht drucken",
            "PDFs stay in the queue with 'error - printing', Word documents print fine.",
            "PDFs bleiben mit 'Fehler - Druckt' in der Warteschlange, Word druckt normal.",
        ),
    ],
}

FIRST_REPLIES = [
    (
        "Hi {name}, thanks for the details. I'm looking into it now.",
        "Hallo {name}, danke für die Details. Ich schaue mir das jetzt an.",
    ),
    (
        "Hello {name}, I can reproduce it on our side and am working on it.",
        "Hallo {name}, ich kann es bei uns nachstellen und kümmere mich darum.",
    ),
    (
        "Thanks {name}. I've checked the logs; one moment while I test a fix.",
        "Danke {name}. Ich habe die Logs geprüft und teste gerade eine Lösung.",
    ),
]
QUESTIONS = [
    (
        "Could you send a screenshot of the error and tell me when it started?",
        "Können Sie mir einen Screenshot der Fehlermeldung schicken und sagen, seit wann?",
    ),
    (
        "Does it also happen on another computer, or only on yours?",
        "Passiert das auch an einem anderen Rechner oder nur an Ihrem?",
    ),
    (
        "Please restart once with the cable plugged in and tell me whether it still happens.",
        "Bitte einmal mit Kabel neu starten und mir sagen, ob es noch auftritt.",
    ),
]
ANSWERS = [
    (
        "Screenshot attached as text: `0x80070005 access denied`.",
        "Fehler: `0x80070005 Zugriff verweigert`.",
    ),
    ("Only on mine, my colleague's works fine.", "Nur bei mir, bei meinem Kollegen geht es."),
    (
        "Restarted, still the same. It started Monday.",
        "Neu gestartet, immer noch gleich. Seit Montag.",
    ),
]
FOLLOW_UPS = [
    (
        "Thanks, that helps. I'm testing a fix now.",
        "Danke, das hilft. Ich teste jetzt eine Lösung.",
    ),
    (
        "Got it, thank you. I'll get back to you as soon as I know more.",
        "Verstanden, danke. Ich melde mich, sobald ich mehr weiß.",
    ),
]
NOTES = [
    "Checked AD: account fine, group membership missing. Waiting for approval.",
    "Seen this twice this week, probably the same root cause as the gateway change.",
    "Customer was friendly but under time pressure, keep them posted.",
    "Driver 24.3 fixes it on my test machine.",
]
HANDOFFS = [
    (
        "Checked: account, licence and client version (all current). Tried: cache reset, "
        "new profile, other machine (same error). Customer says it started after Tuesday's "
        "update. Next step: server-side logs, which L1 cannot read."
    ),
    (
        "Reproduced on two machines. Tried the known workaround from the knowledge base "
        "without success. Customer is blocked for **month-end closing**; please call before "
        "14:00. Suggest checking the firewall rule changes of last week."
    ),
    (
        "L2 analysis: not a client problem. Packet capture shows resets from the load "
        "balancer after 300 s idle. Needs a config change on the appliance (L3 only). "
        "Customer informed that engineering takes over."
    ),
]
RESOLUTIONS = [
    (
        "This is fixed now: {fix} Please let us know if anything still looks wrong.",
        "Das ist jetzt behoben: {fix} Melden Sie sich gern, falls noch etwas nicht passt.",
    ),
]
FIXES = [
    ("we corrected the permissions on the server.", "wir haben die Berechtigungen korrigiert."),
    ("a new driver is installed.", "ein neuer Treiber ist installiert."),
    ("the gateway setting was rolled back.", "die Gateway-Einstellung ist zurückgesetzt."),
    ("your profile was rebuilt.", "Ihr Profil wurde neu angelegt."),
    ("the hardware was replaced.", "die Hardware wurde getauscht."),
]
GIVE_UP = (
    "We haven't heard back, so I'm closing this for now. Just reply to reopen it.",
    "Wir haben nichts mehr gehört und schließen das Ticket vorerst. Antworten Sie einfach, "
    "um es wieder zu öffnen.",
)
REOPEN_REASONS = [
    ("It broke again this morning, same error.", "Seit heute Morgen wieder derselbe Fehler."),
    ("Only half fixed: the second monitor still stays dark.", "Nur halb: Monitor 2 bleibt dunkel."),
]
HOLD_NOTES = [
    (
        "We ordered a replacement part, I'll update you when it arrives.",
        "Ersatzteil ist bestellt, ich melde mich, sobald es da ist.",
    ),
    (
        "The vendor is looking into it; we're waiting for their answer.",
        "Der Hersteller prüft das, wir warten auf seine Antwort.",
    ),
]
# rating: [(comment en, comment de)]
COMMENTS = {
    5: [
        ("Fast and friendly, thank you!", "Schnell und freundlich, danke!"),
        ("Perfect.", "Perfekt."),
    ],
    4: [("Good, took a bit long.", "Gut, hat etwas gedauert.")],
    3: [
        (
            "OK in the end, but I had to explain it twice.",
            "Am Ende ok, musste es aber zweimal erklären.",
        )
    ],
    2: [("Took three days for a password reset.", "Drei Tage für ein Passwort-Reset.")],
    1: [
        (
            "Nobody answered for a day while we could not work.",
            "Einen Tag keine Antwort, wir konnten nicht arbeiten.",
        )
    ],
}
