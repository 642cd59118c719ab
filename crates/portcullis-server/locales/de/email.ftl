## email

## Security notices. $link is a web address on a line of its own or at the end of a sentence;
## keep it last in its sentence so a mail client can make it a link.

email-password-changed-subject = Ihr Passwort wurde geändert
email-password-changed-everywhere = Das Passwort Ihres Kontos wurde geändert und Sie wurden überall abgemeldet.

    Falls Sie das nicht waren, schützen Sie Ihr Konto jetzt: { $link }
email-password-changed-others = Das Passwort Ihres Kontos wurde geändert und Ihre anderen Sitzungen wurden abgemeldet.

    Falls Sie das nicht waren, schützen Sie Ihr Konto jetzt: { $link }
email-factor-added-subject = Ihrem Konto wurde eine Anmeldemethode hinzugefügt
email-factor-added-api = Ihrem Konto wurde eine Anmeldemethode hinzugefügt.

    Falls Sie das nicht waren, überprüfen Sie jetzt Ihre Sicherheitseinstellungen: { $link }
# $kind is a kind of sign-in method ("Authenticator app"), $name the name the user gave it.
email-factor-added = { $kind } „{ $name }“ wurde Ihrem Konto hinzugefügt.

    Falls Sie das nicht waren, überprüfen Sie jetzt Ihre Sicherheitseinstellungen: { $link }
email-factor-removed-subject = Aus Ihrem Konto wurde eine Anmeldemethode entfernt
email-factor-removed = { $kind } „{ $name }“ wurde aus Ihrem Konto entfernt und Ihre anderen Sitzungen wurden abgemeldet.

    Falls Sie das nicht waren, schützen Sie Ihr Konto jetzt: { $link }
# $left is the number of recovery codes the user still has.
email-recovery-used-subject = Ein Wiederherstellungscode wurde verwendet
email-recovery-used = Soeben wurde ein Wiederherstellungscode verwendet, um sich bei Ihrem Konto anzumelden. Verbleibende Wiederherstellungscodes: { $left }.

    Falls Sie das nicht waren, ändern Sie Ihr Passwort und überprüfen Sie Ihre Sicherheitseinstellungen: { $link }
email-new-device-subject = Neue Anmeldung bei Ihrem Konto
# $device names the browser and system ("Chrome on macOS"), $ip an address, $when a date and time.
email-new-device = Bei Ihrem Konto hat sich jemand von einem neuen Gerät aus angemeldet.

    Gerät: { $device }
    IP-Adresse: { $ip }
    Zeitpunkt: { $when }

    Falls Sie das waren, müssen Sie nichts tun. Falls nicht, ändern Sie jetzt Ihr Passwort und überprüfen Sie Ihre Anmeldemethoden: { $link }
email-new-device-ip-unknown = unbekannt
email-deletion-scheduled-subject = Ihr Konto wird gelöscht
# $when is a date and time.
email-deletion-scheduled = Sie haben die Löschung Ihres Kontos beantragt. Es wird nach dem { $when } mit allen Inhalten gelöscht, und Sie wurden überall abgemeldet.

    Wenn Sie Ihr Konto behalten möchten, melden Sie sich vorher erneut an: { $link }

    Falls Sie das nicht waren, melden Sie sich jetzt an und ändern Sie Ihr Passwort.
email-deletion-cancelled-subject = Ihr Konto wird nicht gelöscht
email-deletion-cancelled = Sie haben sich angemeldet, daher wurde die von Ihnen beantragte Löschung Ihres Kontos abgebrochen. Ihr Konto bleibt unverändert bestehen.

    Wenn Sie es doch löschen möchten, beantragen Sie die Löschung erneut in Ihrem Profil: { $link }

## Changing the email address. $valid is a period such as "30 minutes".

email-address-taken-subject = Jemand hat versucht, Ihre E-Mail-Adresse zu verwenden
email-address-taken = Jemand, der bei einem anderen Konto angemeldet ist, wollte diese E-Mail-Adresse für jenes Konto verwenden. Ihr Konto verwendet sie bereits, daher wurde nichts geändert und auch nichts weiter gesendet.

    Falls Sie damit nicht gerechnet haben, können Sie diese E-Mail ignorieren. Überprüfen Sie Ihr Konto: { $link }
email-change-confirm-subject = Bestätigen Sie Ihre neue E-Mail-Adresse
email-change-confirm = Um diese Adresse für Ihr Konto zu verwenden, öffnen Sie diesen Link. Er ist { $valid } lang gültig und funktioniert nur einmal:
    { $link }

    Falls Sie das nicht angefordert haben, ignorieren Sie diese E-Mail: Es ändert sich nichts.
# $address is the new address, partly hidden ("a***@example.com").
email-address-changed-subject = Ihre E-Mail-Adresse wurde geändert
email-address-changed = Die E-Mail-Adresse Ihres Kontos wurde in { $address } geändert. Nachrichten zu Ihrem Konto werden ab jetzt dorthin gesendet.

    Falls Sie das nicht waren, schützen Sie Ihr Konto jetzt: { $link }

## Links and codes. $valid is a period such as "10 minutes"; $code is a one-time code.

email-magic-link-subject = Ihr Anmeldelink
email-magic-link = Verwenden Sie diesen Link, um sich bei { $product } anzumelden. Er funktioniert nur einmal und ist { $valid } lang gültig:

    { $link }

    Falls Sie ihn nicht angefordert haben, ignorieren Sie diese Nachricht: Ohne den Link kann sich niemand anmelden.
# $client is an application's name, $binding its own short message, $valid a duration.
email-ciba-subject = { $client } bittet um Ihre Zustimmung
email-ciba = { $client } bittet Sie, eine Anfrage zu bestätigen. Wenn Sie das erwarten, öffnen Sie diesen Link innerhalb von { $valid } und bestätigen Sie mit Ihrem Passkey oder einem zweiten Faktor:

    { $link }
email-ciba-binding = { $client } bittet Sie, dies zu bestätigen: „{ $binding }“. Wenn Sie das erwarten, öffnen Sie diesen Link innerhalb von { $valid } und bestätigen Sie mit Ihrem Passkey oder einem zweiten Faktor:

    { $link }
email-verify-subject = Bestätigen Sie Ihre E-Mail-Adresse
email-signup-code = Ihr Code zum Abschließen der Kontoerstellung lautet { $code }

    Oder öffnen Sie diesen Link (er funktioniert nur einmal und ist { $valid } lang gültig):
    { $link }

    Falls Sie kein Konto angefordert haben, ignorieren Sie diese E-Mail: Ohne diese Bestätigung wird nichts erstellt.
email-verify-code = Ihr Code zur Bestätigung dieser E-Mail-Adresse lautet { $code }

    Er funktioniert nur einmal und ist { $valid } lang gültig. Falls Sie sich gerade nicht anmelden, ignorieren Sie diese E-Mail.
# $account and $reset are web addresses.
email-signup-taken-subject = Sie haben bereits ein Konto
email-signup-taken = Jemand, vielleicht Sie selbst, hat versucht, mit dieser E-Mail-Adresse ein Konto zu erstellen. Sie haben bereits eines, daher wurde nichts erstellt.

    Melden Sie sich bei Ihrem Konto an: { $account }

    Passwort vergessen? Legen Sie ein neues fest: { $reset }

    Falls Sie das nicht waren, können Sie diese E-Mail ignorieren.
email-reset-subject = Passwort zurücksetzen
email-reset = Jemand hat angefordert, das Passwort Ihres Kontos zurückzusetzen. Um ein neues festzulegen, öffnen Sie diesen Link. Er ist { $valid } lang gültig und funktioniert nur einmal:
    { $link }

    Falls Sie das nicht waren, ignorieren Sie diese E-Mail: Ihr Passwort bleibt unverändert.

## Links an administrator sends.

email-enrol-ticket-subject = Bestätigung in zwei Schritten einrichten
email-enrol-ticket = Ihr Administrator hat Sie gebeten, Ihrem Konto einen zweiten Anmeldeschritt hinzuzufügen.

    Öffnen Sie diesen Link, um ihn einzurichten (er funktioniert nur einmal):
    { $link }

    Falls Sie damit nicht gerechnet haben, ignorieren Sie diese E-Mail.
email-password-ticket-subject = Legen Sie Ihr Passwort fest
email-password-ticket = Legen Sie mit diesem Link ein Passwort für Ihr Konto fest (er funktioniert nur einmal):
    { $link }

    Falls Sie damit nicht gerechnet haben, ignorieren Sie diese E-Mail.

## One-time codes by email or text message: keep the text short (an SMS in Arabic or Japanese
## holds 70 characters per part). $code is the code, $valid a period such as "10 minutes".

code-message-subject = Ihr Bestätigungscode
code-message = Ihr Bestätigungscode für { $product } lautet { $code }. Er ist { $valid } lang gültig. Nicht angefordert? Dann ignorieren Sie diese Nachricht.
