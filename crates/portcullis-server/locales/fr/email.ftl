## email

## Security notices. $link is a web address on a line of its own or at the end of a sentence;
## keep it last in its sentence so a mail client can make it a link.

email-password-changed-subject = Votre mot de passe a été modifié
email-password-changed-everywhere = Le mot de passe de votre compte a été modifié et toutes vos sessions ont été fermées.

    Si vous n'êtes pas à l'origine de cette modification, sécurisez votre compte dès maintenant : { $link }
email-password-changed-others = Le mot de passe de votre compte a été modifié et vos autres sessions ont été fermées.

    Si vous n'êtes pas à l'origine de cette modification, sécurisez votre compte dès maintenant : { $link }
email-factor-added-subject = Une méthode de connexion a été ajoutée à votre compte
email-factor-added-api = Une méthode de connexion a été ajoutée à votre compte.

    Si vous n'êtes pas à l'origine de cet ajout, vérifiez dès maintenant vos paramètres de sécurité : { $link }
# $kind is a kind of sign-in method ("Authenticator app"), $name the name the user gave it.
email-factor-added = Une méthode de connexion a été ajoutée à votre compte : { $kind } « { $name } ».

    Si vous n'êtes pas à l'origine de cet ajout, vérifiez dès maintenant vos paramètres de sécurité : { $link }
email-factor-removed-subject = Une méthode de connexion a été supprimée de votre compte
email-factor-removed = Une méthode de connexion a été supprimée de votre compte : { $kind } « { $name } ». Vos autres sessions ont été fermées.

    Si vous n'êtes pas à l'origine de cette suppression, sécurisez votre compte dès maintenant : { $link }
# $left is the number of recovery codes the user still has.
email-recovery-used-subject = Un code de récupération a été utilisé
email-recovery-used = Un code de récupération vient d'être utilisé pour se connecter à votre compte. Il vous en reste { $left }.

    Si vous n'êtes pas à l'origine de cette connexion, modifiez votre mot de passe et vérifiez vos paramètres de sécurité : { $link }
email-new-device-subject = Nouvelle connexion à votre compte
# $device names the browser and system ("Chrome on macOS"), $ip an address, $when a date and time.
email-new-device = Une connexion à votre compte a eu lieu depuis un nouvel appareil.

    Appareil : { $device }
    Adresse IP : { $ip }
    Date : { $when }

    Si c'était vous, vous n'avez rien à faire. Sinon, modifiez dès maintenant votre mot de passe et vérifiez vos méthodes de connexion : { $link }
email-new-device-ip-unknown = inconnue
email-deletion-scheduled-subject = Votre compte va être supprimé
# $when is a date and time.
email-deletion-scheduled = Vous avez demandé la suppression de votre compte. Il sera supprimé avec tout son contenu après le { $when }, et toutes vos sessions ont été fermées.

    Pour conserver votre compte, reconnectez-vous avant cette date : { $link }

    Si vous n'êtes pas à l'origine de cette demande, connectez-vous dès maintenant et modifiez votre mot de passe.
email-deletion-cancelled-subject = Votre compte ne sera pas supprimé
email-deletion-cancelled = À la suite de votre connexion, la suppression de votre compte que vous aviez demandée a été annulée. Votre compte reste inchangé.

    Si vous souhaitez tout de même le supprimer, refaites la demande depuis votre profil : { $link }

## Changing the email address. $valid is a period such as "30 minutes".

email-address-taken-subject = Quelqu'un a essayé d'utiliser votre adresse e-mail
email-address-taken = Une personne connectée à un autre compte a demandé à utiliser cette adresse e-mail pour ce compte. Votre compte l'utilise déjà : rien n'a donc été modifié et aucun autre message n'a été envoyé.

    Si vous ne vous attendiez pas à ce message, vous pouvez l'ignorer. Vérifiez votre compte : { $link }
email-change-confirm-subject = Confirmez votre nouvelle adresse e-mail
email-change-confirm = Pour utiliser cette adresse avec votre compte, ouvrez ce lien. Il est valable { $valid } et ne fonctionne qu'une seule fois :
    { $link }

    Si vous n'avez rien demandé, ignorez cet e-mail : rien ne sera modifié.
# $address is the new address, partly hidden ("a***@example.com").
email-address-changed-subject = Votre adresse e-mail a été modifiée
email-address-changed = L'adresse e-mail de votre compte a été remplacée par { $address }. Les messages concernant votre compte y sont désormais envoyés.

    Si vous n'êtes pas à l'origine de cette modification, sécurisez votre compte dès maintenant : { $link }

## Links and codes. $valid is a period such as "10 minutes"; $code is a one-time code.

email-magic-link-subject = Votre lien de connexion
email-magic-link = Utilisez ce lien pour vous connecter à { $product }. Il ne fonctionne qu'une seule fois et expire dans { $valid } :

    { $link }

    Si vous ne l'avez pas demandé, ignorez ce message : personne ne peut se connecter sans ce lien.
# $client is an application's name, $binding its own short message, $valid a duration.
email-ciba-subject = { $client } demande votre accord
email-ciba = { $client } vous demande d’approuver une demande. Si vous l’attendez, ouvrez ce lien dans les { $valid } et confirmez avec votre clé d’accès ou un second facteur :

    { $link }
email-ciba-binding = { $client } vous demande d’approuver : « { $binding } ». Si vous l’attendez, ouvrez ce lien dans les { $valid } et confirmez avec votre clé d’accès ou un second facteur :

    { $link }
email-verify-subject = Vérifiez votre adresse e-mail
email-signup-code = Votre code pour terminer la création de votre compte est { $code }

    Vous pouvez aussi ouvrir ce lien (il ne fonctionne qu'une seule fois et reste valable { $valid }) :
    { $link }

    Si vous n'avez pas demandé de compte, ignorez cet e-mail : rien ne sera créé sans cette confirmation.
email-verify-code = Votre code pour vérifier cette adresse e-mail est { $code }

    Il ne fonctionne qu'une seule fois et reste valable { $valid }. Si vous n'êtes pas en train de vous connecter, ignorez cet e-mail.
# $account and $reset are web addresses.
email-signup-taken-subject = Vous avez déjà un compte
email-signup-taken = Quelqu'un, peut-être vous, a essayé de créer un compte avec cette adresse e-mail. Vous en avez déjà un : aucun compte n'a donc été créé.

    Connectez-vous à votre compte : { $account }

    Mot de passe oublié ? Choisissez-en un nouveau : { $reset }

    Si vous n'êtes pas à l'origine de cette demande, vous pouvez ignorer cet e-mail.
email-reset-subject = Réinitialisez votre mot de passe
email-reset = Quelqu'un a demandé la réinitialisation du mot de passe de votre compte. Pour en choisir un nouveau, ouvrez ce lien. Il est valable { $valid } et ne fonctionne qu'une seule fois :
    { $link }

    Si vous n'êtes pas à l'origine de cette demande, ignorez cet e-mail : votre mot de passe reste inchangé.

## Links an administrator sends.

email-enrol-ticket-subject = Configurez la validation en deux étapes
email-enrol-ticket = Votre administrateur vous demande d'ajouter une deuxième étape de connexion à votre compte.

    Ouvrez ce lien pour la configurer (il ne fonctionne qu'une seule fois) :
    { $link }

    Si vous ne vous attendiez pas à ce message, ignorez cet e-mail.
email-password-ticket-subject = Choisissez votre mot de passe
email-password-ticket = Choisissez un mot de passe pour votre compte avec ce lien (il ne fonctionne qu'une seule fois) :
    { $link }

    Si vous ne vous attendiez pas à ce message, ignorez cet e-mail.

## One-time codes by email or text message: keep the text short (an SMS in Arabic or Japanese
## holds 70 characters per part). $code is the code, $valid a period such as "10 minutes".

code-message-subject = Votre code de vérification
code-message = Votre code de vérification { $product } est { $code }. Il expire dans { $valid }. Si vous ne l'avez pas demandé, ignorez ce message.
