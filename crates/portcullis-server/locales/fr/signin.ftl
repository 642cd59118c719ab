## signin


## The sign-in page. $client is the name of the application being signed in to.

login-title = Se connecter
login-heading = Se connecter
login-lead-account = pour gérer votre compte
login-lead-client = pour continuer vers { $client }
login-email-label = Adresse e-mail
login-password-label = Mot de passe
login-continue = Continuer
login-magic-link = Recevoir plutôt un lien de connexion par e-mail
# $provider is the name of another sign-in service, e.g. "Google".
login-continue-with = Continuer avec { $provider }
login-forgot-password = Mot de passe oublié ?
# Followed by the link login-signup-link.
login-signup-prompt = Vous n'avez pas de compte ?
login-signup-link = Créer un compte
login-passkey = Se connecter avec une clé d'accès
login-error-wrong = Adresse e-mail ou mot de passe incorrect.
login-error-passkey = Cette clé d'accès n'a pas permis de vous connecter. Réessayez ou utilisez votre mot de passe.
login-expired = Cette demande de connexion a expiré ou est inconnue. Revenez à l'application et recommencez.
signin-expired = Cette connexion a expiré. Revenez à l'application et recommencez.
signin-refused = Ce compte ne peut pas se connecter ici. Contactez l'administrateur.
# $reason is the reason the administrator's rules give, as they wrote it.
signin-access-denied = Accès refusé : { $reason }

## Email sign-in links. $valid is a lifetime such as "10 minutes".

magic-missing-email-heading = Saisissez votre adresse e-mail
magic-missing-email-text = Revenez en arrière et saisissez l'adresse e-mail de votre compte pour recevoir un lien de connexion.
magic-sent-heading = Consultez vos e-mails
# $email is the address typed on the sign-in page.
magic-sent-text = Si { $email } correspond à un compte, nous y avons envoyé un lien de connexion. Il ne fonctionne qu'une seule fois, pendant { $valid }. Vous pouvez fermer cette page.
magic-link-heading = Poursuivre la connexion
magic-link-lead = Vous avez ouvert un lien de connexion. Continuez sur cet appareil pour vous connecter.
magic-link-button = Se connecter
magic-expired-heading = Ce lien a expiré
magic-expired-text = Les liens de connexion ne fonctionnent qu'une seule fois, pendant { $valid }, et seul le dernier envoyé est valable. Revenez à la page de connexion pour en obtenir un nouveau.

## Password reset. $valid is a lifetime such as "30 minutes".

reset-title = Réinitialiser votre mot de passe
reset-heading = Réinitialiser votre mot de passe
reset-lead = Saisissez l'adresse e-mail de votre compte. Nous vous enverrons un lien pour choisir un nouveau mot de passe.
reset-email-label = Adresse e-mail
reset-send = Envoyer le lien
reset-sent-heading = Consultez vos e-mails
reset-sent-text = Si un compte utilise cette adresse, nous y avons envoyé un lien pour choisir un nouveau mot de passe. Le lien ne fonctionne qu'une seule fois, pendant { $valid }.
reset-link-heading = Choisir un nouveau mot de passe
reset-link-lead = Vous avez ouvert un lien de réinitialisation du mot de passe. Continuez sur cet appareil ; si votre compte comporte une deuxième étape de connexion, elle vous sera demandée d'abord.
reset-link-button = Continuer
reset-expired-heading = Ce lien a expiré
reset-expired-text = Les liens de réinitialisation du mot de passe ne fonctionnent qu'une seule fois, pendant { $valid }, et seul le dernier envoyé est valable. Demandez-en un nouveau depuis la page de connexion.
reset-new-title = Choisir un nouveau mot de passe
reset-new-heading = Choisir un nouveau mot de passe
# $email is the account's address; $min is the shortest password allowed, a number.
reset-new-lead = Pour { $email }. Utilisez au moins { $min ->
        [one] { $min } caractère
       *[other] { $min } caractères
    } ; quelques mots peu courants font un mot de passe robuste. Les espaces et tous les caractères sont acceptés.
reset-new-password-label = Nouveau mot de passe
reset-new-button = Changer le mot de passe
reset-done-heading = Votre mot de passe a été modifié
reset-done-text = Toutes vos sessions ont été fermées. Reconnectez-vous avec votre nouveau mot de passe.

## Enrolment links an administrator hands out (tickets).

ticket-title = Configurer la connexion en deux étapes
ticket-heading = Configurer la connexion en deux étapes
# $email is the account's address.
ticket-lead = Votre administrateur vous demande d'ajouter une deuxième étape de connexion au compte { $email }. Cela prend une minute ; ce lien ne fonctionne qu'une seule fois.
ticket-start = Commencer
ticket-expired-heading = Ce lien a expiré
ticket-expired-text = Les liens de configuration ne fonctionnent qu'une seule fois et pour une durée limitée. Demandez-en un nouveau à votre administrateur.
ticket-done-heading = Tout est prêt
ticket-done-text = Votre nouvelle méthode de connexion est prête. Connectez-vous à vos applications comme d'habitude ; elles vous la demanderont quand elles en auront besoin.

## Signing in with another service. $provider is its name, e.g. "Google".

upstream-no-provider = Ce fournisseur de connexion n'existe pas.
upstream-failed-heading = La connexion a échoué
upstream-failed-text = { $provider } n'a pas pu vous connecter pour le moment. Revenez en arrière et réessayez, ou connectez-vous autrement.
# The same, when the provider is no longer configured.
upstream-failed-text-unknown = Le fournisseur n'a pas pu vous connecter pour le moment. Revenez en arrière et réessayez, ou connectez-vous autrement.
upstream-not-signed-in-heading = Connexion non effectuée
upstream-denied-text = La connexion avec { $provider } n'a pas eu lieu. Revenez en arrière pour réessayer, ou connectez-vous autrement.
upstream-error-text = { $provider } n'a pas pu vous connecter. Revenez en arrière pour réessayer, ou connectez-vous autrement.
upstream-refused-heading = Connexion avec { $provider } impossible
upstream-refused-blocked = Ce compte ne peut pas se connecter.
upstream-refused-unverified = { $provider } n'a pas partagé d'adresse e-mail vérifiée. Vérifiez votre adresse e-mail auprès de { $provider } ou connectez-vous autrement.
upstream-refused-signup = Il n'est pas possible de créer de nouveaux comptes ici. Connectez-vous avec un compte existant.
upstream-email-unusable = Cette adresse e-mail ne peut pas être utilisée ici. Connectez-vous autrement.
upstream-link-title = Associer votre compte
upstream-link-heading = Un compte existe déjà avec cette adresse e-mail
# $email is the address the provider shared.
upstream-link-lead = Un compte existe déjà avec { $email }. Connectez-vous-y une fois pour associer { $provider } ; ensuite, { $provider } vous connectera directement.
upstream-link-password-label = Mot de passe
upstream-link-button = Se connecter et associer
# A link, followed by upstream-link-other-note.
upstream-link-other = Se connecter autrement
upstream-link-other-note = (l'association se fera une fois la connexion établie).
upstream-link-error-wrong = Mot de passe incorrect.

## Consent to a third-party application. $client is the application's name.

consent-title = Autoriser { $client } ?
consent-heading = Autoriser { $client } à utiliser votre compte ?
# $email is the signed-in user's address.
consent-lead = { $client } n'est pas géré par l'opérateur de ce service de connexion. Vous utilisez le compte { $email }.
# $api is the name of an API the application wants to use for the user (shown in bold); a
# list of permissions follows.
consent-asks-api = L'application demande à utiliser { $api } en votre nom, et à :
# Followed by a list of permissions.
consent-asks = L'application demande à :
consent-note = Vous pouvez retirer cette autorisation à tout moment depuis votre page de sécurité.
consent-allow = Autoriser
consent-deny = Refuser
consent-expired = Cette demande a expiré ou est inconnue. Revenez à l'application et recommencez.
consent-choose = Choisissez Autoriser ou Refuser.

## Signing in a device (a TV, a command line) with the code it shows. $client is the application's name.

device-title = Connecter un appareil
device-heading = Connecter un appareil
device-lead = Saisissez le code affiché par votre appareil.
device-code-label = Code
device-continue = Continuer
device-code-invalid = Ce code n’est pas valide, a déjà servi ou a expiré. Vérifiez le code sur votre appareil, ou recommencez depuis celui-ci.
# $email is the signed-in user's address. The code follows, on its own line.
device-consent-lead = Un appareil demande à utiliser { $client } en tant que { $email }. N’acceptez que si vous l’avez lancé vous-même et que l’appareil affiche ce code :
device-done-heading = Appareil connecté
device-done = Votre appareil est maintenant connecté à { $client }. Vous pouvez fermer cette page.
device-denied-heading = Appareil non connecté
device-denied = L’appareil n’a pas été connecté. Vous pouvez fermer cette page.

## Approving an application's request from the emailed link (CIBA). $client is the application's name.

ciba-title = Approuver une demande
ciba-heading = Approuver une demande
ciba-lead = { $client } demande votre accord. Ne continuez que si vous l’attendez ; vous confirmerez d’abord qui vous êtes.
ciba-continue = Continuer
ciba-deny = Refuser
ciba-invalid = Cette demande a expiré, a déjà reçu une réponse ou est inconnue. Redemandez depuis l’application si vous en avez encore besoin.
# $email is the signed-in user's address. The application's own message follows, on its own line.
ciba-consent-lead = { $client } demande à agir en tant que { $email }. N’acceptez que si vous l’attendez et que l’application affiche le même message :
ciba-done-heading = Demande approuvée
ciba-done = { $client } a votre accord. Vous pouvez fermer cette page.
ciba-denied-heading = Demande refusée
ciba-denied = L’application a reçu un refus. Vous pouvez fermer cette page.
ciba-wrong-account = Vous vous êtes connecté avec un autre compte que celui visé par cette demande ; elle a donc été refusée.

## Creating an account. $client is the application's name.

signup-title = Créer votre compte
signup-heading = Créer votre compte
signup-lead-account = pour gérer vos méthodes de connexion
signup-lead-client = pour continuer vers { $client }
signup-email-label = Adresse e-mail
signup-name-label = Nom
signup-name-optional = (facultatif)
signup-password-label = Mot de passe
# $min is the shortest password allowed, a number.
signup-password-note = Au moins { $min ->
        [one] { $min } caractère
       *[other] { $min } caractères
    }. Quelques mots peu courants font un mot de passe robuste ; les espaces et tous les caractères sont acceptés.
signup-button = Créer le compte
# Followed by the link signup-signin-link.
signup-signin-prompt = Vous avez déjà un compte ?
signup-signin-link = Se connecter
signup-error-email = Saisissez une adresse e-mail valide.
signup-closed-heading = L'inscription n'est pas disponible
signup-closed-text = Il n'est pas possible de créer de nouveaux comptes ici. Demandez un compte à l'administrateur de l'application.
signup-expired-heading = Cette inscription a expiré
# $valid is a lifetime such as "30 minutes".
signup-expired-text = Les codes et liens d'inscription ne fonctionnent qu'une seule fois, pendant { $valid }, et seul le dernier envoyé est valable. Recommencez depuis l'application.
signup-confirm-heading = Vérifier votre adresse e-mail
signup-confirm-lead = Vous avez ouvert le lien qui termine la création de votre compte.
signup-confirm-button = Vérifier et créer mon compte
signup-ready-heading = Votre compte est prêt
signup-ready-text = Votre adresse e-mail est vérifiée. Revenez à l'application et connectez-vous.

## The emailed code, at sign-up and when an address must be verified to sign in. $email is
## the address the code went to.

signup-code-heading = Consultez vos e-mails
verify-heading = Vérifier votre adresse e-mail
verify-lead = Nous avons envoyé un code à six chiffres à { $email }. Saisissez-le ici.
# At sign-up, where the email also holds a link.
signup-code-lead = Nous avons envoyé un code à six chiffres à { $email }. Saisissez-le ici, ou ouvrez le lien contenu dans cet e-mail.
signup-code-label = Code
signup-code-button = Vérifier
signup-code-resend = Envoyer un nouveau code
signup-code-resent = Nous avons envoyé un nouveau code. Seul le plus récent fonctionne.
signup-code-error = Ce code est incorrect ou a expiré. Consultez l'e-mail le plus récent, ou recommencez.
verify-error = Ce code est incorrect ou a expiré. Reconnectez-vous pour en recevoir un nouveau.
signup-code-too-many = Nous avons déjà envoyé plusieurs codes. Vérifiez votre dossier de courrier indésirable, ou recommencez plus tard.
