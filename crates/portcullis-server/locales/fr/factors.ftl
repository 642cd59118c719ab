## Second factors: the challenge at sign-in, enrolment, recovery codes, the security page and
## the password rules. $product is the product's name (e.g. "Portcullis").

## Kinds of sign-in method, as lists and emails name them.

factor-kind-totp = Application d'authentification
factor-kind-webauthn = Clé de sécurité ou clé d'accès
factor-kind-email = Code par e-mail
factor-kind-sms = SMS

## The second step at sign-in (/u/mfa).

mfa-title = Confirmez votre identité
# $days is a whole number of days.
mfa-remember = { $days ->
    [one] Mémoriser cet appareil pendant { $days } jour
   *[other] Mémoriser cet appareil pendant { $days } jours
}
mfa-webauthn-button = Utiliser une clé de sécurité ou une clé d'accès
mfa-send-button = Envoyer un code
mfa-verify-button = Valider
# A fold-out list of the user's other sign-in methods.
mfa-other-ways = Essayer une autre méthode
# Labels of the code field, by method.
mfa-label-recovery = Code de récupération
mfa-label-password = Mot de passe
mfa-label-totp = Code de votre application d'authentification
mfa-label-code = Code que nous vous avons envoyé
# $name is the name the user gave the authenticator app (e.g. "Authenticator app", "My phone").
mfa-lead-totp = Saisissez le code à 6 chiffres affiché par { $name }.
# $target is a partly hidden email address or phone number, e.g. "a•••@example.com", "•••• 4567".
mfa-lead-send = Nous allons envoyer un code à 6 chiffres à { $target }.
mfa-lead-webauthn = Utilisez votre clé de sécurité ou votre clé d'accès.
mfa-lead-recovery = Saisissez l'un des codes de récupération que vous avez enregistrés.
mfa-lead-password = Saisissez votre mot de passe pour continuer.
# Entries of "Try another way". $target is a partly hidden phone number or email address.
mfa-way-sms = SMS au { $target } (méthode la moins sûre)
mfa-way-email = Code par e-mail à { $target }
# $kind is a kind of sign-in method ("Authenticator app"), $name the name the user gave it.
mfa-way-factor = { $kind } : { $name }
mfa-way-webauthn = Une clé de sécurité ou une clé d'accès
mfa-way-recovery = Un code de récupération
mfa-way-password = Votre mot de passe
# $valid is a duration such as "10 minutes".
mfa-notice-sent = Nous vous avons envoyé un code. Il est valable { $valid }.
mfa-error-unavailable = Cette méthode de validation n'est pas disponible.
mfa-error-too-weak = Aucune de vos méthodes de connexion n'est assez sûre pour cette opération.
mfa-error-expired = Cette connexion a expiré. Retournez dans l'application et recommencez.
mfa-error-no-code = Cette méthode n'utilise pas de code.
mfa-error-send-failed = Nous n'avons pas pu envoyer le code. Réessayez ou choisissez une autre méthode.
mfa-error-webauthn = Cette clé de sécurité ou clé d'accès n'a pas été acceptée. Réessayez.
mfa-error-wrong-code = Ce code est incorrect. Vérifiez-le et réessayez.

## Errors of the browser's security key or passkey prompt (sign-in and registration).

webauthn-error-cancelled = La demande a été annulée ou a expiré. Réessayez.
webauthn-error-registered = Cet authentificateur est déjà enregistré.
webauthn-error-failed = Votre navigateur ou votre authentificateur n'a pas pu terminer l'opération. Réessayez ou choisissez une autre méthode.

## Choosing a sign-in method to add (/u/enroll).

enroll-title = Ajouter une méthode de connexion
enroll-heading-required = Configurer la validation en deux étapes
enroll-lead-required = Cette application demande une deuxième étape lors de la connexion. Choisissez comment confirmer votre identité.
enroll-lead = Choisissez une méthode à ajouter.
# A link, followed by enroll-passkey-note.
enroll-passkey = Clé d'accès
enroll-passkey-note = (recommandé : empreinte digitale, visage ou code PIN de l'appareil)
enroll-security-key = Clé de sécurité
enroll-totp = Application d'authentification
enroll-email = Codes par e-mail
# A link, followed by enroll-sms-note.
enroll-sms = Codes par SMS
enroll-sms-note = — l'option la moins sûre : les messages peuvent être interceptés ou détournés
enroll-verify-button = Valider et activer
# The label of the field for the new method's name.
enroll-name-label = Nom
enroll-error-expired = Cet ajout a expiré. Recommencez depuis le début.
enroll-error-not-allowed = Cette application n'autorise pas cette méthode. Choisissez-en une autre.
enroll-error-email-proved = Vous vous êtes connecté avec votre adresse e-mail : des codes par e-mail n'ajouteraient donc pas de deuxième étape. Choisissez une autre méthode.
enroll-error-channel = Canal inconnu.
enroll-error-style = Type d'authentificateur inconnu.

## Codes by email or text message (/u/enroll/oob).

enroll-oob-title-sms = Configurer les codes par SMS
enroll-oob-title-email = Configurer les codes par e-mail
enroll-oob-heading-sms = Codes par SMS
enroll-oob-heading-email = Codes par e-mail
enroll-oob-sms-warning = Les SMS sont la méthode de validation la moins sûre : ils peuvent être interceptés ou détournés vers une autre carte SIM. Préférez une application d'authentification ou une clé d'accès.
enroll-oob-label-sms = Numéro de mobile
enroll-oob-label-email = Adresse e-mail
enroll-oob-send = Envoyer un code
# $target is the email address or phone number; $valid a duration such as "10 minutes".
enroll-oob-sent = Nous avons envoyé un code à 6 chiffres à { $target }. Il est valable { $valid }.
enroll-oob-code-label = Code
enroll-oob-error-sms = Saisissez le numéro au format international, par exemple +33 6 12 34 56 78.
enroll-oob-error-email = Saisissez une adresse e-mail valide.
enroll-oob-error-code = Ce code est incorrect ou a expiré. Vérifiez-le et réessayez.
# The names new methods get (the user can rename them on the security page).
enroll-oob-name-sms = Téléphone
enroll-oob-name-email = E-mail

## An authenticator app (/u/enroll/totp).

enroll-totp-title = Configurer une application d'authentification
enroll-totp-lead = Scannez le code avec une application d'authentification, puis saisissez le code à 6 chiffres qu'elle affiche.
enroll-totp-qr = Code QR pour votre application d'authentification
enroll-totp-manual = Impossible de le scanner ? Saisissez plutôt cette clé :
enroll-totp-open = Ouvrir dans une application d'authentification sur cet appareil
enroll-totp-code-label = Code affiché par l'application
# The name a new authenticator app gets unless the user types another.
enroll-totp-name = Application d'authentification
enroll-totp-error = Ce code ne correspond pas. Vérifiez l'heure de votre appareil et saisissez le code actuel.

## A passkey or a security key (/u/enroll/webauthn).

enroll-passkey-title = Créer une clé d'accès
enroll-passkey-lead = Connectez-vous avec votre empreinte digitale, votre visage ou le code PIN de votre appareil au lieu d'un mot de passe. La clé d'accès reste sur votre appareil ou dans votre gestionnaire de mots de passe.
enroll-passkey-button = Créer la clé d'accès
# The name a new passkey gets unless the user types another.
enroll-passkey-name = Clé d'accès
enroll-key-title = Ajouter une clé de sécurité
enroll-key-lead = Utilisez une clé physique (comme une YubiKey) ou votre appareil comme deuxième étape après votre mot de passe.
enroll-key-button = Ajouter la clé de sécurité
# The name a new security key gets unless the user types another.
enroll-key-name = Clé de sécurité
enroll-webauthn-noscript = Cette page nécessite JavaScript. S'il est désactivé, choisissez une autre méthode.
enroll-webauthn-error = La réponse de votre authentificateur n'a pas pu être vérifiée. Réessayez.

## Recovery codes, shown once.

recovery-codes-title = Enregistrez vos codes de récupération
recovery-codes-lead = Si vous perdez votre appareil, chacun de ces codes vous permet de vous connecter une fois. Ils ne sont affichés qu'une seule fois : conservez-les en lieu sûr.
recovery-codes-download = Télécharger en fichier texte
recovery-codes-copy = Copier
# Shown on the copy button once the codes are on the clipboard.
recovery-codes-copied = Copié
recovery-codes-continue = Je les ai enregistrés — continuer
# The first lines of the downloaded text file.
recovery-codes-file-heading = Codes de récupération { $product }
recovery-codes-file-note = Chaque code ne fonctionne qu'une seule fois.

## The security page (/u/account/security).

security-title = Sécurité
# $email is the user's email address.
security-signed-in-as = Connecté en tant que { $email }.
security-verify-first = Avant toute modification, vous devrez confirmer votre identité.
security-profile = Profil
security-sign-out = Se déconnecter
security-factors = Méthodes de connexion
security-no-factors = Vous n'avez pas encore de deuxième facteur. Ajoutez-en un pour qu'un mot de passe volé ne suffise pas à accéder à votre compte.
security-col-method = Méthode
security-col-name = Nom
security-col-added = Ajoutée le
security-col-last-used = Dernière utilisation
security-col-actions = Actions
# After a text message method in the list.
security-least-secure = (la moins sûre)
security-kind-passkey = Clé d'accès
security-kind-security-key = Clé de sécurité
# Where a passkey or security key lives (shown in parentheses after its kind).
security-note-synced = synchronisée avec vos autres appareils
security-note-syncable = synchronisable
security-note-device-only = sur cet appareil uniquement
# A date that never happened ("Last used: never").
security-never = jamais
# For screen readers. $name is the name of a sign-in method.
security-rename-label = Nouveau nom pour { $name }
security-rename = Renommer
# For screen readers. $name is the name of a sign-in method.
security-remove-label = Supprimer { $name }
security-remove = Supprimer
security-add-method = Ajouter une méthode de connexion
security-recovery = Codes de récupération
# $n is a whole number.
security-recovery-left = { $n ->
    [one] { $n } code de récupération inutilisé.
   *[other] { $n } codes de récupération inutilisés.
}
security-regenerate = Générer de nouveaux codes (les anciens ne fonctionneront plus)
security-devices = Appareils mémorisés
security-no-devices = Aucun.
security-col-device = Appareil
security-col-remembered = Mémorisé le
security-forget = Oublier
security-links = Comptes associés
security-col-account = Compte
security-col-connected = Associé le
# For screen readers. $account is a connected account's provider, e.g. "Google".
security-disconnect-label = Dissocier { $account }
security-disconnect = Dissocier
security-apps = Applications autorisées
security-col-app = Application
# The column of what an app may do (its scopes).
security-col-can = Autorisations
security-col-since = Depuis le
# For screen readers. $client is an application's name.
security-revoke-label = Retirer l'accès de { $client }
security-revoke = Retirer l'accès
security-sessions = Sessions
security-col-ip = Adresse IP
security-col-started = Début
security-col-last-seen = Dernière activité
# The assurance level of a session (aal1, aal2…).
security-col-level = Niveau
security-col-action = Action
security-this-session = Cette session
# The button that ends another session.
security-end-session = Déconnecter
security-events = Événements de sécurité récents
security-col-when = Date
security-col-event = Événement
security-col-from = Provenance
security-error-gone = Cet élément n'existe plus.
security-error-empty-name = Le nom ne peut pas être vide.
security-error-no-factor = Ajoutez d'abord une méthode de connexion : les codes de récupération l'accompagnent.
security-error-last-link = C'est ainsi que vous vous connectez. Choisissez d'abord un mot de passe sur votre page de profil, puis dissociez ce compte.
security-error-action = Action inconnue.

## New passwords: the strength meter and the rules (sign-up, reset, profile).

# The strength meter's name, for screen readers.
password-meter-label = Robustesse du mot de passe
password-meter-strong = Mot de passe robuste.
password-meter-acceptable = Acceptable. Quelques mots peu courants de plus le rendraient plus robuste.
# $min is the shortest length allowed, a number.
password-rule-too-short = { $min ->
    [one] Le mot de passe doit comporter au moins { $min } caractère.
   *[other] Le mot de passe doit comporter au moins { $min } caractères.
}
# $max is the longest length allowed, a number.
password-rule-too-long = { $max ->
    [one] Le mot de passe doit comporter au plus { $max } caractère.
   *[other] Le mot de passe doit comporter au plus { $max } caractères.
}
password-rule-unprintable = Le mot de passe ne doit pas contenir de caractères de contrôle.
password-rule-common = Ce mot de passe est très courant ou a déjà fuité lors d'une violation de données.
password-rule-personal = Le mot de passe ne doit contenir ni votre adresse e-mail ni votre nom.
password-rule-guessable = Le mot de passe est trop facile à deviner ; quelques mots peu courants font un mot de passe robuste.

## The security page's recent events: one per audit event kind (kinds without a message
## show as stored). Short, like a log line, in the past tense.

event-login-success = Connexion
event-login-failure = Échec de connexion
event-lockout = Connexion suspendue après trop de tentatives
event-mfa-challenged = Deuxième étape demandée
event-factor-enrolled = Méthode de connexion ajoutée
event-factor-removed = Méthode de connexion supprimée
event-factor-renamed = Méthode de connexion renommée
event-factor-failure = Code ou clé de sécurité incorrects
event-factor-associated = Méthode de connexion ajoutée par une application
event-recovery-code-used = Code de récupération utilisé
event-recovery-codes-regenerated = Nouveaux codes de récupération créés
event-recovery-codes-removed = Codes de récupération supprimés
event-password-changed = Mot de passe modifié
event-password-change-failed = Changement de mot de passe refusé
event-password-reset-requested = Réinitialisation du mot de passe demandée
event-password-reset-forced = Nouveau mot de passe exigé par un administrateur
event-password-rehashed = Stockage du mot de passe renforcé
event-device-forgotten = Appareil mémorisé oublié
event-session-revoked = Session terminée
event-session-logout = Déconnexion
event-session-ended = Session terminée
event-signup-success = Compte créé
event-magic-link-sent = Lien de connexion envoyé
event-stepup-requested = Vérification supplémentaire demandée
event-stepup-met = Vérification supplémentaire réussie
event-stepup-failed = Échec de la vérification supplémentaire
event-consent-granted = Application autorisée
event-consent-denied = Application refusée
event-consent-revoked = Accès de l'application retiré
event-token-exchanged = Le service d’une application a agi pour vous
event-ciba-requested = Une application a demandé votre accord
event-upstream-linked = Compte associé
event-upstream-unlinked = Compte dissocié
event-user-created = Compte créé
event-user-updated = Informations du compte modifiées
event-user-blocked = Compte bloqué
event-user-unblocked = Compte débloqué
event-user-deletion-scheduled = Suppression du compte programmée
event-user-deletion-cancelled = Suppression du compte annulée
event-user-email-change-requested = Changement d'adresse e-mail demandé
event-user-email-changed = Adresse e-mail modifiée
event-user-email-verified = Adresse e-mail confirmée
event-user-sessions-ended = Toutes les sessions terminées
event-user-role-changed = Rôles modifiés
event-ticket-created = Lien de configuration créé
event-ticket-password-change-created = Lien de mot de passe créé
event-ticket-used = Lien de configuration utilisé
