## Second factors: the challenge at sign-in, enrolment, recovery codes, the security page and
## the password rules. $product is the product's name (e.g. "Portcullis").

## Kinds of sign-in method, as lists and emails name them.

factor-kind-totp = Authenticator-App
factor-kind-webauthn = Sicherheitsschlüssel oder Passkey
factor-kind-email = E-Mail-Code
factor-kind-sms = Textnachricht (SMS)

## The second step at sign-in (/u/mfa).

mfa-title = Bestätigen Sie Ihre Identität
# $days is a whole number of days.
mfa-remember = { $days ->
    [one] Dieses Gerät { $days } Tag lang merken
   *[other] Dieses Gerät { $days } Tage lang merken
}
mfa-webauthn-button = Sicherheitsschlüssel oder Passkey verwenden
mfa-send-button = Code senden
mfa-verify-button = Bestätigen
# A fold-out list of the user's other sign-in methods.
mfa-other-ways = Andere Methode verwenden
# Labels of the code field, by method.
mfa-label-recovery = Wiederherstellungscode
mfa-label-password = Passwort
mfa-label-totp = Code aus Ihrer Authenticator-App
mfa-label-code = Code, den wir Ihnen gesendet haben
# $name is the name the user gave the authenticator app (e.g. "Authenticator app", "My phone").
mfa-lead-totp = Geben Sie den 6-stelligen Code aus { $name } ein.
# $target is a partly hidden email address or phone number, e.g. "a•••@example.com", "•••• 4567".
mfa-lead-send = Wir senden einen 6-stelligen Code an { $target }.
mfa-lead-webauthn = Verwenden Sie Ihren Sicherheitsschlüssel oder Passkey.
mfa-lead-recovery = Geben Sie einen der Wiederherstellungscodes ein, die Sie gespeichert haben.
mfa-lead-password = Geben Sie Ihr Passwort ein, um fortzufahren.
# Entries of "Try another way". $target is a partly hidden phone number or email address.
mfa-way-sms = SMS an { $target } (am wenigsten sicher)
mfa-way-email = E-Mail-Code an { $target }
# $kind is a kind of sign-in method ("Authenticator app"), $name the name the user gave it.
mfa-way-factor = { $kind }: { $name }
mfa-way-webauthn = Ein Sicherheitsschlüssel oder Passkey
mfa-way-recovery = Ein Wiederherstellungscode
mfa-way-password = Ihr Passwort
# $valid is a duration such as "10 minutes".
mfa-notice-sent = Wir haben Ihnen einen Code gesendet. Er ist { $valid } lang gültig.
mfa-error-unavailable = Diese Bestätigungsmethode ist nicht verfügbar.
mfa-error-too-weak = Keine Ihrer Anmeldemethoden ist dafür sicher genug.
mfa-error-expired = Diese Anmeldung ist abgelaufen. Kehren Sie zur Anwendung zurück und beginnen Sie erneut.
mfa-error-no-code = Diese Methode verwendet keinen Code.
mfa-error-send-failed = Wir konnten den Code nicht senden. Versuchen Sie es erneut oder wählen Sie eine andere Methode.
mfa-error-webauthn = Dieser Sicherheitsschlüssel oder Passkey wurde nicht akzeptiert. Versuchen Sie es erneut.
mfa-error-wrong-code = Dieser Code ist nicht richtig. Überprüfen Sie ihn und versuchen Sie es erneut.

## Errors of the browser's security key or passkey prompt (sign-in and registration).

webauthn-error-cancelled = Die Anfrage wurde abgebrochen oder ist abgelaufen. Versuchen Sie es erneut.
webauthn-error-registered = Dieser Authenticator ist bereits registriert.
webauthn-error-failed = Ihr Browser oder Authenticator konnte den Vorgang nicht abschließen. Versuchen Sie es erneut oder wählen Sie eine andere Methode.

## Choosing a sign-in method to add (/u/enroll).

enroll-title = Anmeldemethode hinzufügen
enroll-heading-required = Bestätigung in zwei Schritten einrichten
enroll-lead-required = Diese Anwendung verlangt bei der Anmeldung einen zweiten Schritt. Wählen Sie, wie Sie Ihre Identität bestätigen möchten.
enroll-lead = Wählen Sie eine Methode aus, die Sie hinzufügen möchten.
# A link, followed by enroll-passkey-note.
enroll-passkey = Passkey
enroll-passkey-note = (empfohlen: Fingerabdruck, Gesichtserkennung oder Geräte-PIN)
enroll-security-key = Sicherheitsschlüssel
enroll-totp = Authenticator-App
enroll-email = Codes per E-Mail
# A link, followed by enroll-sms-note.
enroll-sms = Codes per SMS
enroll-sms-note = – die am wenigsten sichere Option: Nachrichten können abgefangen oder umgeleitet werden
enroll-verify-button = Bestätigen und aktivieren
# The label of the field for the new method's name.
enroll-name-label = Name
enroll-error-expired = Diese Einrichtung ist abgelaufen. Beginnen Sie noch einmal von vorn.
enroll-error-not-allowed = Diese Anwendung erlaubt diese Methode nicht. Wählen Sie eine andere.
enroll-error-email-proved = Sie haben sich mit Ihrer E-Mail-Adresse angemeldet, daher wären Codes per E-Mail kein zusätzlicher Schritt. Wählen Sie eine andere Methode.
enroll-error-channel = Unbekannter Kanal.
enroll-error-style = Unbekannte Art von Authenticator.

## Codes by email or text message (/u/enroll/oob).

enroll-oob-title-sms = Codes per SMS einrichten
enroll-oob-title-email = Codes per E-Mail einrichten
enroll-oob-heading-sms = Codes per SMS
enroll-oob-heading-email = Codes per E-Mail
enroll-oob-sms-warning = SMS sind die am wenigsten sichere Bestätigungsmethode: Sie können abgefangen oder auf eine andere SIM-Karte umgeleitet werden. Verwenden Sie besser eine Authenticator-App oder einen Passkey.
enroll-oob-label-sms = Mobilnummer
enroll-oob-label-email = E-Mail-Adresse
enroll-oob-send = Code senden
# $target is the email address or phone number; $valid a duration such as "10 minutes".
enroll-oob-sent = Wir haben einen 6-stelligen Code an { $target } gesendet. Er ist { $valid } lang gültig.
enroll-oob-code-label = Code
enroll-oob-error-sms = Geben Sie die Nummer im internationalen Format ein, z. B. +49 151 23456789.
enroll-oob-error-email = Geben Sie eine gültige E-Mail-Adresse ein.
enroll-oob-error-code = Dieser Code ist nicht richtig oder abgelaufen. Überprüfen Sie ihn und versuchen Sie es erneut.
# The names new methods get (the user can rename them on the security page).
enroll-oob-name-sms = Telefon
enroll-oob-name-email = E-Mail

## An authenticator app (/u/enroll/totp).

enroll-totp-title = Authenticator-App einrichten
enroll-totp-lead = Scannen Sie den Code mit einer Authenticator-App und geben Sie dann den 6-stelligen Code ein, den sie anzeigt.
enroll-totp-qr = QR-Code für Ihre Authenticator-App
enroll-totp-manual = Scannen nicht möglich? Geben Sie stattdessen diesen Schlüssel ein:
enroll-totp-open = In einer Authenticator-App auf diesem Gerät öffnen
enroll-totp-code-label = Code aus der App
# The name a new authenticator app gets unless the user types another.
enroll-totp-name = Authenticator-App
enroll-totp-error = Dieser Code stimmt nicht. Prüfen Sie die Uhrzeit auf Ihrem Gerät und geben Sie den aktuellen Code ein.

## A passkey or a security key (/u/enroll/webauthn).

enroll-passkey-title = Passkey erstellen
enroll-passkey-lead = Melden Sie sich mit Fingerabdruck, Gesichtserkennung oder Geräte-PIN statt mit einem Passwort an. Der Passkey bleibt auf Ihrem Gerät oder in Ihrem Passwort-Manager.
enroll-passkey-button = Passkey erstellen
# The name a new passkey gets unless the user types another.
enroll-passkey-name = Passkey
enroll-key-title = Sicherheitsschlüssel hinzufügen
enroll-key-lead = Verwenden Sie einen Hardwareschlüssel (z. B. einen YubiKey) oder Ihr Gerät als zweiten Schritt nach Ihrem Passwort.
enroll-key-button = Sicherheitsschlüssel hinzufügen
# The name a new security key gets unless the user types another.
enroll-key-name = Sicherheitsschlüssel
enroll-webauthn-noscript = Dafür wird JavaScript benötigt. Wählen Sie eine andere Methode, wenn es deaktiviert ist.
enroll-webauthn-error = Die Antwort Ihres Authenticators konnte nicht überprüft werden. Versuchen Sie es erneut.

## Recovery codes, shown once.

recovery-codes-title = Wiederherstellungscodes speichern
recovery-codes-lead = Wenn Sie Ihr Gerät verlieren, können Sie sich mit jedem dieser Codes einmal anmelden. Sie werden nur jetzt angezeigt: Bewahren Sie sie an einem sicheren Ort auf.
recovery-codes-download = Als Textdatei herunterladen
recovery-codes-copy = Kopieren
# Shown on the copy button once the codes are on the clipboard.
recovery-codes-copied = Kopiert
recovery-codes-continue = Ich habe sie gespeichert – weiter
# The first lines of the downloaded text file.
recovery-codes-file-heading = { $product }: Wiederherstellungscodes
recovery-codes-file-note = Jeder Code funktioniert nur einmal.

## The security page (/u/account/security).

security-title = Sicherheit
# $email is the user's email address.
security-signed-in-as = Angemeldet als { $email }.
security-verify-first = Für Änderungen müssen Sie zuerst Ihre Identität bestätigen.
security-profile = Profil
security-sign-out = Abmelden
security-factors = Anmeldemethoden
security-no-factors = Sie haben noch keinen zweiten Faktor. Fügen Sie einen hinzu, damit ein gestohlenes Passwort nicht für den Zugang reicht.
security-col-method = Methode
security-col-name = Name
security-col-added = Hinzugefügt
security-col-last-used = Zuletzt verwendet
security-col-actions = Aktionen
# After a text message method in the list.
security-least-secure = (am wenigsten sicher)
security-kind-passkey = Passkey
security-kind-security-key = Sicherheitsschlüssel
# Where a passkey or security key lives (shown in parentheses after its kind).
security-note-synced = mit Ihren anderen Geräten synchronisiert
security-note-syncable = kann synchronisiert werden
security-note-device-only = nur auf diesem Gerät
# A date that never happened ("Last used: never").
security-never = nie
# For screen readers. $name is the name of a sign-in method.
security-rename-label = Neuer Name für { $name }
security-rename = Umbenennen
# For screen readers. $name is the name of a sign-in method.
security-remove-label = { $name } entfernen
security-remove = Entfernen
security-add-method = Anmeldemethode hinzufügen
security-recovery = Wiederherstellungscodes
# $n is a whole number.
security-recovery-left = { $n ->
    [one] { $n } unbenutzter Wiederherstellungscode.
   *[other] { $n } unbenutzte Wiederherstellungscodes.
}
security-regenerate = Neue Codes erstellen (die alten funktionieren dann nicht mehr)
security-devices = Gemerkte Geräte
security-no-devices = Keine.
security-col-device = Gerät
security-col-remembered = Gemerkt seit
security-forget = Vergessen
security-links = Verknüpfte Konten
security-col-account = Konto
security-col-connected = Verknüpft seit
# For screen readers. $account is a connected account's provider, e.g. "Google".
security-disconnect-label = Verknüpfung mit { $account } trennen
security-disconnect = Trennen
security-apps = Apps, denen Sie Zugriff erlaubt haben
security-col-app = App
# The column of what an app may do (its scopes).
security-col-can = Darf
security-col-since = Seit
# For screen readers. $client is an application's name.
security-revoke-label = Zugriff von { $client } entfernen
security-revoke = Zugriff entfernen
security-sessions = Sitzungen
security-col-ip = IP-Adresse
security-col-started = Begonnen
security-col-last-seen = Zuletzt aktiv
# The assurance level of a session (aal1, aal2…).
security-col-level = Stufe
security-col-action = Aktion
security-this-session = Diese Sitzung
# The button that ends another session.
security-end-session = Abmelden
security-events = Letzte Sicherheitsereignisse
security-col-when = Wann
security-col-event = Ereignis
security-col-from = Herkunft
security-error-gone = Dieser Eintrag existiert nicht mehr.
security-error-empty-name = Der Name darf nicht leer sein.
security-error-no-factor = Fügen Sie zuerst eine Anmeldemethode hinzu: Wiederherstellungscodes gibt es nur zusammen mit ihr.
security-error-last-link = Darüber melden Sie sich an. Legen Sie zuerst auf Ihrer Profilseite ein Passwort fest und trennen Sie die Verknüpfung dann.
security-error-action = Unbekannte Aktion.

## New passwords: the strength meter and the rules (sign-up, reset, profile).

# The strength meter's name, for screen readers.
password-meter-label = Passwortstärke
password-meter-strong = Starkes Passwort.
password-meter-acceptable = Ausreichend. Ein paar weitere ungewöhnliche Wörter würden es stärker machen.
# $min is the shortest length allowed, a number.
password-rule-too-short = { $min ->
    [one] Das Passwort muss mindestens { $min } Zeichen haben.
   *[other] Das Passwort muss mindestens { $min } Zeichen haben.
}
# $max is the longest length allowed, a number.
password-rule-too-long = { $max ->
    [one] Das Passwort darf höchstens { $max } Zeichen haben.
   *[other] Das Passwort darf höchstens { $max } Zeichen haben.
}
password-rule-unprintable = Das Passwort darf keine Steuerzeichen enthalten.
password-rule-common = Dieses Passwort ist weit verbreitet oder wurde bei einem Datenleck veröffentlicht.
password-rule-personal = Das Passwort darf weder Ihre E-Mail-Adresse noch Ihren Namen enthalten.
password-rule-guessable = Das Passwort ist zu leicht zu erraten. Ein paar ungewöhnliche Wörter ergeben ein starkes Passwort.

## The security page's recent events: one per audit event kind (kinds without a message
## show as stored). Short, like a log line, in the past tense.

event-login-success = Angemeldet
event-login-failure = Anmeldung fehlgeschlagen
event-lockout = Anmeldung nach zu vielen Versuchen pausiert
event-mfa-challenged = Zweiter Schritt angefordert
event-factor-enrolled = Anmeldemethode hinzugefügt
event-factor-removed = Anmeldemethode entfernt
event-factor-renamed = Anmeldemethode umbenannt
event-factor-failure = Falscher Code oder Sicherheitsschlüssel
event-factor-associated = Anmeldemethode von einer App hinzugefügt
event-recovery-code-used = Wiederherstellungscode verwendet
event-recovery-codes-regenerated = Neue Wiederherstellungscodes erstellt
event-recovery-codes-removed = Wiederherstellungscodes entfernt
event-password-changed = Passwort geändert
event-password-change-failed = Passwortänderung abgelehnt
event-password-reset-requested = Passwort-Zurücksetzung angefordert
event-password-reset-forced = Neues Passwort von einer Administratorin oder einem Administrator verlangt
event-password-rehashed = Passwortspeicherung aktualisiert
event-device-forgotten = Gespeichertes Gerät vergessen
event-session-revoked = Sitzung beendet
event-session-logout = Abgemeldet
event-session-ended = Sitzung beendet
event-signup-success = Konto erstellt
event-magic-link-sent = Anmeldelink gesendet
event-stepup-requested = Zusätzliche Prüfung angefordert
event-stepup-met = Zusätzliche Prüfung bestanden
event-stepup-failed = Zusätzliche Prüfung fehlgeschlagen
event-consent-granted = App zugelassen
event-consent-denied = App abgelehnt
event-consent-revoked = App-Zugriff entzogen
event-token-exchanged = Ein Dienst einer App hat für Sie gehandelt
event-ciba-requested = Eine App hat um Ihre Zustimmung gebeten
event-upstream-linked = Konto verbunden
event-upstream-unlinked = Kontoverbindung getrennt
event-user-created = Konto erstellt
event-user-updated = Kontodaten geändert
event-user-blocked = Konto gesperrt
event-user-unblocked = Kontosperre aufgehoben
event-user-deletion-scheduled = Kontolöschung geplant
event-user-deletion-cancelled = Kontolöschung abgebrochen
event-user-email-change-requested = E-Mail-Änderung angefordert
event-user-email-changed = E-Mail-Adresse geändert
event-user-email-verified = E-Mail-Adresse bestätigt
event-user-sessions-ended = Alle Sitzungen beendet
event-user-role-changed = Rollen geändert
event-ticket-created = Einrichtungslink erstellt
event-ticket-password-change-created = Passwortlink erstellt
event-ticket-used = Einrichtungslink verwendet
