## account

## Requests an app sent that cannot be answered (shown as a page, since the app cannot be told).

# $name is a parameter name such as client_id.
request-repeated = Der Parameter { $name } kommt mehrfach vor.
request-no-client-id = Der Anfrage fehlt die client_id.
request-unknown-app = Die Anwendung ist nicht bekannt.
request-no-redirect-uri = Der Anfrage fehlt die redirect_uri.
request-redirect-uri-unregistered = Die redirect_uri ist für diese Anwendung nicht registriert.
# A pushed authorization request (request_uri) that is unknown, expired or spent.
request-uri-expired = Diese Anmeldeanfrage ist abgelaufen oder wurde bereits verwendet. Kehren Sie zur Anwendung zurück und versuchen Sie es erneut.
request-object-invalid = Die Anwendung hat eine Anmeldeanfrage gesendet, die nicht geprüft werden konnte (Signatur, Gültigkeit oder Empfänger). Kehren Sie zur Anwendung zurück und versuchen Sie es erneut.
logout-bad-hint = Der id_token_hint ist ungültig.
logout-hint-mismatch = Die client_id passt nicht zum id_token_hint.
logout-redirect-needs-client = Für post_logout_redirect_uri ist eine client_id oder ein id_token_hint nötig.
logout-redirect-unregistered = Die post_logout_redirect_uri ist für diese Anwendung nicht registriert.
logout-bad-uri = Ungültige URI.
# $error names the failed rule and what went wrong, in English.
action-failed = Die Anmeldung konnte nicht abgeschlossen werden: Eine vom Administrator festgelegte Regel ist fehlgeschlagen ({ $error }). Versuchen Sie es später erneut oder wenden Sie sich an den Administrator.
webauthn-off = Passkeys und Sicherheitsschlüssel sind auf diesem Server ausgeschaltet: Seine Adresse ist eine IP-Adresse, sie brauchen aber einen Domainnamen.

## The profile page.

profile-title = Profil
# $email is the user's address.
profile-signed-in-as = Angemeldet als { $email }.
profile-verify-first = Bevor Sie Ihre E-Mail-Adresse oder Ihr Passwort ändern, bestätigen Sie, dass Sie es sind.
profile-security-link = Sicherheitseinstellungen
profile-unknown-action = Unbekannte Aktion.
profile-name-heading = Name
profile-name-label = Anzeigename
profile-name-button = Name speichern
profile-name-saved = Ihr Name wurde gespeichert.
profile-language-heading = Sprache
profile-language-lead = Die Sprache dieser Seiten und der E-Mails, die wir Ihnen senden.
profile-language-label = Sprache
profile-language-button = Sprache speichern
profile-language-saved = Ihre Sprache wurde gespeichert.
profile-email-heading = E-Mail-Adresse
profile-email-lead = Wir senden einen Link an die neue Adresse. Die Änderung gilt, sobald Sie ihn öffnen, und wir informieren Ihre bisherige Adresse.
profile-email-label = Neue E-Mail-Adresse
profile-email-button = Link senden
profile-email-button-verify = Bestätigen, dass Sie es sind, dann Link senden
profile-email-invalid = Geben Sie eine gültige E-Mail-Adresse ein.
profile-email-same = Das ist bereits Ihre E-Mail-Adresse.
# $new and $current are addresses, $valid a period such as "30 minutes".
profile-email-sent = Wir haben einen Link an { $new } gesendet. Öffnen Sie ihn innerhalb von { $valid }, um die Änderung abzuschließen; bis dahin bleibt Ihre Adresse { $current }.
profile-confirm-heading = Neue E-Mail-Adresse bestätigen
profile-confirm-lead = Sie haben einen Link geöffnet, um diese Adresse für Ihr Konto zu verwenden. Klicken Sie auf die Schaltfläche, um die Änderung abzuschließen.
profile-confirm-button = Diese Adresse verwenden
profile-link-expired-heading = Dieser Link ist abgelaufen
profile-link-expired-text = Links zum Ändern der E-Mail-Adresse funktionieren einmal, { $valid } lang, und nur der zuletzt gesendete. Fordern Sie in Ihrem Profil einen neuen an.
profile-cannot-use-heading = Diese Adresse kann nicht verwendet werden
profile-cannot-use-text = Ihre E-Mail-Adresse wurde nicht geändert. Wählen Sie in Ihrem Profil eine andere Adresse.
profile-email-changed-heading = Ihre E-Mail-Adresse wurde geändert
# $address is the new address.
profile-email-changed-text = Ihr Konto verwendet jetzt { $address }. Melden Sie sich ab sofort damit an.
profile-password-heading = Passwort
profile-current-label = Aktuelles Passwort
profile-new-label = Neues Passwort
# $min is the least number of characters.
profile-password-hint = { $min ->
    [one] Mindestens { $min } Zeichen; einige ungewöhnliche Wörter ergeben ein starkes Passwort. Ihre anderen Sitzungen werden abgemeldet.
   *[other] Mindestens { $min } Zeichen; einige ungewöhnliche Wörter ergeben ein starkes Passwort. Ihre anderen Sitzungen werden abgemeldet.
}
profile-password-button = Passwort ändern
profile-password-button-verify = Bestätigen, dass Sie es sind, dann Passwort festlegen
profile-current-wrong = Ihr aktuelles Passwort stimmt nicht.
profile-password-changed = Ihr Passwort wurde geändert. Ihre anderen Sitzungen wurden abgemeldet.
profile-delete-heading = Konto löschen
# $days is the grace period in days.
profile-delete-lead = { $days ->
    [one] Ihr Konto wird mit allen Daten { $days } Tag nach Ihrer Anfrage gelöscht, und Sie werden überall abgemeldet. Wenn Sie sich vorher wieder anmelden, bleibt es erhalten.
   *[other] Ihr Konto wird mit allen Daten { $days } Tage nach Ihrer Anfrage gelöscht, und Sie werden überall abgemeldet. Wenn Sie sich vorher wieder anmelden, bleibt es erhalten.
}
profile-delete-button = Mein Konto löschen
profile-delete-button-verify = Bestätigen, dass Sie es sind, dann mein Konto löschen
profile-deleted-heading = Ihr Konto wird gelöscht
# $wait is the grace period in days, e.g. "7 days".
profile-deleted-text = Sie wurden überall abgemeldet. Ihr Konto wird in { $wait } gelöscht; wenn Sie sich vorher anmelden, bleibt es erhalten. Die Einzelheiten haben wir Ihnen per E-Mail gesendet.
# $name is the parameter's name, e.g. state; the backquotes are part of the text.
logout-param-repeated = Parameter `{ $name }` kommt mehrfach vor

## Scopes on the consent page: what the application may do ("It asks to: …").

scope-openid = Wissen, wer Sie sind (Ihre Konto-ID)
scope-profile = Ihren Namen sehen
scope-email = Ihre E-Mail-Adresse sehen
scope-offline-access = Zugriff behalten, auch wenn Sie die Anwendung nicht nutzen
# An API's own permission: $api is the API's name, $scope the permission's code (e.g. read:payouts).
scope-api = { $api }: { $scope }

## Remembered devices, named after the browser (e.g. "Chrome on Linux").

# $browser is a browser's name (Chrome, Firefox) or device-browser-unknown; $os a system's name
# (Windows, iOS) or device-system-unknown.
device-label = { $browser } unter { $os }
device-browser-unknown = Browser
device-system-unknown = unbekanntem System
