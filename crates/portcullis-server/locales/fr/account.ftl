## account

## Requests an app sent that cannot be answered (shown as a page, since the app cannot be told).

# $name is a parameter name such as client_id.
request-repeated = Le paramètre { $name } est répété.
request-no-client-id = La requête n’a pas de client_id.
request-unknown-app = L’application est inconnue.
request-no-redirect-uri = La requête n’a pas de redirect_uri.
request-redirect-uri-unregistered = Cette redirect_uri n’est pas enregistrée pour cette application.
# A pushed authorization request (request_uri) that is unknown, expired or spent.
request-uri-expired = Cette demande de connexion a expiré ou a déjà été utilisée. Revenez à l’application et réessayez.
request-object-invalid = L’application a envoyé une demande de connexion qui n’a pas pu être vérifiée (sa signature, sa durée de validité ou son destinataire). Revenez à l’application et réessayez.
logout-bad-hint = Le id_token_hint n’est pas valide.
logout-hint-mismatch = Le client_id ne correspond pas au id_token_hint.
logout-redirect-needs-client = post_logout_redirect_uri demande un client_id ou un id_token_hint.
logout-redirect-unregistered = Cette post_logout_redirect_uri n’est pas enregistrée pour cette application.
logout-bad-uri = URI incorrecte.
# $error names the failed rule and what went wrong, in English.
action-failed = La connexion n’a pas pu aboutir : une règle définie par l’administrateur a échoué ({ $error }). Réessayez plus tard ou contactez l’administrateur.
webauthn-off = Les clés d’accès et les clés de sécurité sont désactivées sur ce serveur : son adresse est une adresse IP, alors qu’elles demandent un nom de domaine.

## The profile page.

profile-title = Profil
# $email is the user's address.
profile-signed-in-as = Connecté avec { $email }.
profile-verify-first = Pour changer votre adresse e-mail ou votre mot de passe, vous confirmerez d’abord votre identité.
profile-security-link = Paramètres de sécurité
profile-unknown-action = Action inconnue.
profile-name-heading = Nom
profile-name-label = Nom affiché
profile-name-button = Enregistrer le nom
profile-name-saved = Votre nom a été enregistré.
profile-language-heading = Langue
profile-language-lead = La langue de ces pages et des e-mails que nous vous envoyons.
profile-language-label = Langue
profile-language-button = Enregistrer la langue
profile-language-saved = Votre langue a été enregistrée.
profile-email-heading = Adresse e-mail
profile-email-lead = Nous envoyons un lien à la nouvelle adresse ; le changement a lieu quand vous l’ouvrez, et nous prévenons votre adresse actuelle.
profile-email-label = Nouvelle adresse e-mail
profile-email-button = Envoyer le lien
profile-email-button-verify = Confirmer votre identité, puis envoyer le lien
profile-email-invalid = Saisissez une adresse e-mail valide.
profile-email-same = C’est déjà votre adresse e-mail.
# $new and $current are addresses, $valid a period such as "30 minutes".
profile-email-sent = Nous avons envoyé un lien à { $new }. Ouvrez-le dans les { $valid } pour terminer le changement ; d’ici là, votre adresse reste { $current }.
profile-confirm-heading = Confirmez votre nouvelle adresse e-mail
profile-confirm-lead = Vous avez ouvert un lien pour utiliser cette adresse pour votre compte. Appuyez sur le bouton pour terminer le changement.
profile-confirm-button = Utiliser cette adresse
profile-link-expired-heading = Ce lien a expiré
profile-link-expired-text = Les liens de changement d’adresse fonctionnent une fois, pendant { $valid }, et seul le dernier envoyé est valable. Demandez-en un nouveau depuis votre profil.
profile-cannot-use-heading = Cette adresse ne peut pas être utilisée
profile-cannot-use-text = Votre adresse e-mail n’a pas été modifiée. Choisissez une autre adresse depuis votre profil.
profile-email-changed-heading = Votre adresse e-mail a été modifiée
# $address is the new address.
profile-email-changed-text = Votre compte utilise désormais { $address }. Connectez-vous avec cette adresse à partir de maintenant.
profile-password-heading = Mot de passe
profile-current-label = Mot de passe actuel
profile-new-label = Nouveau mot de passe
# $min is the least number of characters.
profile-password-hint = { $min ->
    [one] Au moins { $min } caractère ; quelques mots peu courants font un mot de passe solide. Vos autres sessions sont fermées.
   *[other] Au moins { $min } caractères ; quelques mots peu courants font un mot de passe solide. Vos autres sessions sont fermées.
}
profile-password-button = Changer le mot de passe
profile-password-button-verify = Confirmer votre identité, puis définir le mot de passe
profile-current-wrong = Votre mot de passe actuel est incorrect.
profile-password-changed = Votre mot de passe a été changé. Vos autres sessions ont été fermées.
profile-delete-heading = Supprimer le compte
# $days is the grace period in days.
profile-delete-lead = { $days ->
    [one] Votre compte est supprimé avec tout son contenu { $days } jour après votre demande, et toutes vos sessions sont fermées. Vous reconnecter avant ce délai le conserve.
   *[other] Votre compte est supprimé avec tout son contenu { $days } jours après votre demande, et toutes vos sessions sont fermées. Vous reconnecter avant ce délai le conserve.
}
profile-delete-button = Supprimer mon compte
profile-delete-button-verify = Confirmer votre identité, puis supprimer mon compte
profile-deleted-heading = Votre compte va être supprimé
# $wait is the grace period in days, e.g. "7 days".
profile-deleted-text = Toutes vos sessions ont été fermées. Votre compte sera supprimé dans { $wait } ; vous reconnecter avant ce délai le conserve. Nous vous avons envoyé les détails par e-mail.
# $name is the parameter's name, e.g. state; the backquotes are part of the text.
logout-param-repeated = le paramètre `{ $name }` est répété

## Scopes on the consent page: what the application may do ("It asks to: …").

scope-openid = Savoir qui vous êtes (l’identifiant de votre compte)
scope-profile = Voir votre nom
scope-email = Voir votre adresse e-mail
scope-offline-access = Garder l’accès quand vous ne l’utilisez pas
# An API's own permission: $api is the API's name, $scope the permission's code (e.g. read:payouts).
scope-api = { $api } : { $scope }

## Remembered devices, named after the browser (e.g. "Chrome on Linux").

# $browser is a browser's name (Chrome, Firefox) or device-browser-unknown; $os a system's name
# (Windows, iOS) or device-system-unknown.
device-label = { $browser } sur { $os }
device-browser-unknown = Navigateur
device-system-unknown = système inconnu
