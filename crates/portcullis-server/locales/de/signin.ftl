## signin


## The sign-in page. $client is the name of the application being signed in to.

login-title = Anmelden
login-heading = Anmelden
login-lead-account = um Ihr Konto zu verwalten
login-lead-client = um mit { $client } fortzufahren
login-email-label = E-Mail-Adresse
login-password-label = Passwort
login-continue = Weiter
login-magic-link = Stattdessen Anmeldelink per E-Mail erhalten
# $provider is the name of another sign-in service, e.g. "Google".
login-continue-with = Weiter mit { $provider }
login-forgot-password = Passwort vergessen?
# Followed by the link login-signup-link.
login-signup-prompt = Neu hier?
login-signup-link = Konto erstellen
login-passkey = Mit Passkey anmelden
login-error-wrong = E-Mail-Adresse oder Passwort ist falsch.
login-error-passkey = Mit diesem Passkey konnten Sie nicht angemeldet werden. Versuchen Sie es erneut oder verwenden Sie Ihr Passwort.
login-expired = Diese Anmeldeanfrage ist abgelaufen oder unbekannt. Kehren Sie zur Anwendung zurück und beginnen Sie von vorn.
signin-expired = Diese Anmeldung ist abgelaufen. Kehren Sie zur Anwendung zurück und beginnen Sie von vorn.
signin-refused = Mit diesem Konto ist hier keine Anmeldung möglich. Wenden Sie sich an den Administrator.
# $reason is the reason the administrator's rules give, as they wrote it.
signin-access-denied = Zugriff verweigert: { $reason }

## Email sign-in links. $valid is a lifetime such as "10 minutes".

magic-missing-email-heading = Geben Sie Ihre E-Mail-Adresse ein
magic-missing-email-text = Gehen Sie zurück und geben Sie die E-Mail-Adresse Ihres Kontos ein, um einen Anmeldelink zu erhalten.
magic-sent-heading = Prüfen Sie Ihr E-Mail-Postfach
# $email is the address typed on the sign-in page.
magic-sent-text = Falls zu { $email } ein Konto existiert, haben wir einen Anmeldelink an diese Adresse gesendet. Er funktioniert einmal und ist { $valid } lang gültig. Sie können diese Seite schließen.
magic-link-heading = Anmeldung fortsetzen
magic-link-lead = Sie haben einen Anmeldelink geöffnet. Fahren Sie auf diesem Gerät fort, um sich anzumelden.
magic-link-button = Anmelden
magic-expired-heading = Dieser Link ist abgelaufen
magic-expired-text = Anmeldelinks funktionieren einmal, sind { $valid } lang gültig, und nur der zuletzt gesendete funktioniert. Kehren Sie zur Anmeldeseite zurück, um einen neuen anzufordern.

## Password reset. $valid is a lifetime such as "30 minutes".

reset-title = Passwort zurücksetzen
reset-heading = Passwort zurücksetzen
reset-lead = Geben Sie die E-Mail-Adresse Ihres Kontos ein. Wir senden Ihnen einen Link, mit dem Sie ein neues Passwort festlegen können.
reset-email-label = E-Mail-Adresse
reset-send = Link senden
reset-sent-heading = Prüfen Sie Ihr E-Mail-Postfach
reset-sent-text = Falls ein Konto diese Adresse verwendet, haben wir einen Link zum Festlegen eines neuen Passworts dorthin gesendet. Der Link funktioniert einmal und ist { $valid } lang gültig.
reset-link-heading = Neues Passwort festlegen
reset-link-lead = Sie haben einen Link zum Zurücksetzen Ihres Passworts geöffnet. Fahren Sie auf diesem Gerät fort; falls Ihr Konto einen zweiten Anmeldeschritt hat, werden Sie zuerst danach gefragt.
reset-link-button = Weiter
reset-expired-heading = Dieser Link ist abgelaufen
reset-expired-text = Links zum Zurücksetzen des Passworts funktionieren einmal, sind { $valid } lang gültig, und nur der zuletzt gesendete funktioniert. Fordern Sie auf der Anmeldeseite einen neuen an.
reset-new-title = Neues Passwort festlegen
reset-new-heading = Neues Passwort festlegen
# $email is the account's address; $min is the shortest password allowed, a number.
reset-new-lead = Für { $email }. Verwenden Sie mindestens { $min } Zeichen; einige ungewöhnliche Wörter ergeben ein starkes Passwort. Leerzeichen und beliebige Zeichen sind erlaubt.
reset-new-password-label = Neues Passwort
reset-new-button = Passwort ändern
reset-done-heading = Ihr Passwort wurde geändert
reset-done-text = Sie wurden überall abgemeldet. Melden Sie sich mit Ihrem neuen Passwort erneut an.

## Enrolment links an administrator hands out (tickets).

ticket-title = Zweistufige Anmeldung einrichten
ticket-heading = Zweistufige Anmeldung einrichten
# $email is the account's address.
ticket-lead = Ihr Administrator bittet Sie, dem Konto { $email } einen zweiten Anmeldeschritt hinzuzufügen. Das dauert etwa eine Minute; dieser Link funktioniert nur einmal.
ticket-start = Starten
ticket-expired-heading = Dieser Link ist abgelaufen
ticket-expired-text = Einrichtungslinks funktionieren nur einmal und nur für begrenzte Zeit. Bitten Sie Ihren Administrator um einen neuen.
ticket-done-heading = Alles erledigt
ticket-done-text = Ihre neue Anmeldemethode ist eingerichtet. Melden Sie sich wie gewohnt bei Ihren Anwendungen an; diese fragen danach, wenn sie sie benötigen.

## Signing in with another service. $provider is its name, e.g. "Google".

upstream-no-provider = Diesen Anmeldedienst gibt es nicht.
upstream-failed-heading = Anmeldung fehlgeschlagen
upstream-failed-text = { $provider } konnte Sie gerade nicht anmelden. Gehen Sie zurück und versuchen Sie es erneut, oder melden Sie sich auf andere Weise an.
# The same, when the provider is no longer configured.
upstream-failed-text-unknown = Der Anbieter konnte Sie gerade nicht anmelden. Gehen Sie zurück und versuchen Sie es erneut, oder melden Sie sich auf andere Weise an.
upstream-not-signed-in-heading = Nicht angemeldet
upstream-denied-text = Sie haben sich nicht mit { $provider } angemeldet. Gehen Sie zurück, um es erneut zu versuchen, oder melden Sie sich auf andere Weise an.
upstream-error-text = { $provider } konnte Sie nicht anmelden. Gehen Sie zurück, um es erneut zu versuchen, oder melden Sie sich auf andere Weise an.
upstream-refused-heading = Anmeldung mit { $provider } nicht möglich
upstream-refused-blocked = Mit diesem Konto ist keine Anmeldung möglich.
upstream-refused-unverified = { $provider } hat keine bestätigte E-Mail-Adresse übermittelt. Bestätigen Sie Ihre E-Mail-Adresse bei { $provider } oder melden Sie sich auf andere Weise an.
upstream-refused-signup = Hier können keine neuen Konten erstellt werden. Melden Sie sich mit einem bestehenden Konto an.
upstream-email-unusable = Diese E-Mail-Adresse kann hier nicht verwendet werden. Melden Sie sich auf andere Weise an.
upstream-link-title = Konto verknüpfen
upstream-link-heading = Zu dieser E-Mail-Adresse gibt es bereits ein Konto
# $email is the address the provider shared.
upstream-link-lead = Es gibt bereits ein Konto mit { $email }. Melden Sie sich einmal bei diesem Konto an, um { $provider } zu verknüpfen; danach meldet { $provider } Sie direkt an.
upstream-link-password-label = Passwort
upstream-link-button = Anmelden und verknüpfen
# A link, followed by upstream-link-other-note.
upstream-link-other = Auf andere Weise anmelden
upstream-link-other-note = (die Verknüpfung wird hergestellt, sobald Sie angemeldet sind).
upstream-link-error-wrong = Falsches Passwort.

## Consent to a third-party application. $client is the application's name.

consent-title = { $client } zulassen?
consent-heading = Darf { $client } Ihr Konto verwenden?
# $email is the signed-in user's address.
consent-lead = { $client } wird nicht vom Betreiber dieses Anmeldedienstes betrieben. Sie sind als { $email } angemeldet.
# $api is the name of an API the application wants to use for the user (shown in bold); a
# list of permissions follows.
consent-asks-api = Die Anwendung möchte { $api } in Ihrem Namen verwenden und:
# Followed by a list of permissions.
consent-asks = Die Anwendung möchte:
consent-note = Sie können diese Erlaubnis jederzeit auf Ihrer Sicherheitsseite widerrufen.
consent-allow = Zulassen
consent-deny = Ablehnen
consent-expired = Diese Anfrage ist abgelaufen oder unbekannt. Kehren Sie zur Anwendung zurück und beginnen Sie von vorn.
consent-choose = Wählen Sie „Zulassen“ oder „Ablehnen“.

## Signing in a device (a TV, a command line) with the code it shows. $client is the application's name.

device-title = Gerät verbinden
device-heading = Gerät verbinden
device-lead = Geben Sie den Code ein, den Ihr Gerät anzeigt.
device-code-label = Code
device-continue = Weiter
device-code-invalid = Dieser Code ist ungültig, wurde schon verwendet oder ist abgelaufen. Prüfen Sie den Code auf Ihrem Gerät oder beginnen Sie dort neu.
# $email is the signed-in user's address. The code follows, on its own line.
device-consent-lead = Ein Gerät möchte { $client } als { $email } nutzen. Erlauben Sie es nur, wenn Sie das selbst gestartet haben und das Gerät diesen Code zeigt:
device-done-heading = Gerät verbunden
device-done = Ihr Gerät ist jetzt bei { $client } angemeldet. Sie können diese Seite schließen.
device-denied-heading = Gerät nicht verbunden
device-denied = Das Gerät wurde nicht angemeldet. Sie können diese Seite schließen.

## Approving an application's request from the emailed link (CIBA). $client is the application's name.

ciba-title = Anfrage bestätigen
ciba-heading = Anfrage bestätigen
ciba-lead = { $client } bittet um Ihre Zustimmung. Fahren Sie nur fort, wenn Sie das erwarten; zuerst bestätigen Sie, wer Sie sind.
ciba-continue = Weiter
ciba-deny = Ablehnen
ciba-invalid = Diese Anfrage ist abgelaufen, wurde schon beantwortet oder ist unbekannt. Fragen Sie in der Anwendung erneut, wenn Sie sie noch brauchen.
# $email is the signed-in user's address. The application's own message follows, on its own line.
ciba-consent-lead = { $client } möchte als { $email } handeln. Erlauben Sie es nur, wenn Sie das erwarten und die Anwendung dieselbe Nachricht zeigt:
ciba-done-heading = Anfrage bestätigt
ciba-done = { $client } hat Ihre Zustimmung. Sie können diese Seite schließen.
ciba-denied-heading = Anfrage abgelehnt
ciba-denied = Die Anwendung hat eine Absage erhalten. Sie können diese Seite schließen.
ciba-wrong-account = Sie haben sich mit einem anderen Konto angemeldet als dem, für das diese Anfrage gilt; sie wurde daher abgelehnt.

## Creating an account. $client is the application's name.

signup-title = Konto erstellen
signup-heading = Konto erstellen
signup-lead-account = um Ihre Anmeldemethoden zu verwalten
signup-lead-client = um mit { $client } fortzufahren
signup-email-label = E-Mail-Adresse
signup-name-label = Name
signup-name-optional = (optional)
signup-password-label = Passwort
# $min is the shortest password allowed, a number.
signup-password-note = Mindestens { $min } Zeichen. Einige ungewöhnliche Wörter ergeben ein starkes Passwort; Leerzeichen und beliebige Zeichen sind erlaubt.
signup-button = Konto erstellen
# Followed by the link signup-signin-link.
signup-signin-prompt = Sie haben bereits ein Konto?
signup-signin-link = Anmelden
signup-error-email = Geben Sie eine gültige E-Mail-Adresse ein.
signup-closed-heading = Registrierung nicht verfügbar
signup-closed-text = Hier können keine neuen Konten erstellt werden. Bitten Sie den Administrator der Anwendung um ein Konto.
signup-expired-heading = Diese Registrierung ist abgelaufen
# $valid is a lifetime such as "30 minutes".
signup-expired-text = Registrierungscodes und -links funktionieren einmal, sind { $valid } lang gültig, und nur der zuletzt gesendete funktioniert. Beginnen Sie in der Anwendung von vorn.
signup-confirm-heading = E-Mail-Adresse bestätigen
signup-confirm-lead = Sie haben den Link geöffnet, mit dem Sie die Erstellung Ihres Kontos abschließen.
signup-confirm-button = Bestätigen und Konto erstellen
signup-ready-heading = Ihr Konto ist bereit
signup-ready-text = Ihre E-Mail-Adresse ist bestätigt. Kehren Sie zur Anwendung zurück und melden Sie sich an.

## The emailed code, at sign-up and when an address must be verified to sign in. $email is
## the address the code went to.

signup-code-heading = Prüfen Sie Ihr E-Mail-Postfach
verify-heading = E-Mail-Adresse bestätigen
verify-lead = Wir haben einen sechsstelligen Code an { $email } gesendet. Geben Sie ihn hier ein.
# At sign-up, where the email also holds a link.
signup-code-lead = Wir haben einen sechsstelligen Code an { $email } gesendet. Geben Sie ihn hier ein oder öffnen Sie den Link in dieser E-Mail.
signup-code-label = Code
signup-code-button = Bestätigen
signup-code-resend = Neuen Code senden
signup-code-resent = Wir haben einen neuen Code gesendet. Nur der neueste funktioniert.
signup-code-error = Dieser Code ist falsch oder abgelaufen. Sehen Sie in der neuesten E-Mail nach oder beginnen Sie von vorn.
verify-error = Dieser Code ist falsch oder abgelaufen. Melden Sie sich erneut an, um einen neuen zu erhalten.
signup-code-too-many = Wir haben bereits mehrere Codes gesendet. Sehen Sie in Ihrem Spam-Ordner nach oder beginnen Sie später von vorn.
