## email

## Security notices. $link is a web address on a line of its own or at the end of a sentence;
## keep it last in its sentence so a mail client can make it a link.

email-password-changed-subject = Se ha cambiado tu contraseña
email-password-changed-everywhere = Se ha cambiado la contraseña de tu cuenta y se ha cerrado tu sesión en todos los dispositivos.

    Si no has sido tú, protege tu cuenta ahora: { $link }
email-password-changed-others = Se ha cambiado la contraseña de tu cuenta y se han cerrado tus otras sesiones.

    Si no has sido tú, protege tu cuenta ahora: { $link }
email-factor-added-subject = Se ha añadido un método de inicio de sesión a tu cuenta
email-factor-added-api = Se ha añadido un método de inicio de sesión a tu cuenta.

    Si no has sido tú, revisa ahora tu configuración de seguridad: { $link }
# $kind is a kind of sign-in method ("Authenticator app"), $name the name the user gave it.
email-factor-added = Se ha añadido un método de inicio de sesión a tu cuenta: { $kind } «{ $name }».

    Si no has sido tú, revisa ahora tu configuración de seguridad: { $link }
email-factor-removed-subject = Se ha eliminado un método de inicio de sesión de tu cuenta
email-factor-removed = Se ha eliminado un método de inicio de sesión de tu cuenta: { $kind } «{ $name }». También se han cerrado tus otras sesiones.

    Si no has sido tú, protege tu cuenta ahora: { $link }
# $left is the number of recovery codes the user still has.
email-recovery-used-subject = Se ha usado un código de recuperación
email-recovery-used = Se acaba de usar un código de recuperación para iniciar sesión en tu cuenta. Códigos de recuperación restantes: { $left }.

    Si no has sido tú, cambia tu contraseña y revisa tu configuración de seguridad: { $link }
email-new-device-subject = Nuevo inicio de sesión en tu cuenta
# $device names the browser and system ("Chrome on macOS"), $ip an address, $when a date and time.
email-new-device = Se ha iniciado sesión en tu cuenta desde un dispositivo nuevo.

    Dispositivo: { $device }
    Dirección IP: { $ip }
    Fecha y hora: { $when }

    Si has sido tú, no tienes que hacer nada. Si no, cambia tu contraseña y revisa ahora tus métodos de inicio de sesión: { $link }
email-new-device-ip-unknown = desconocida
email-deletion-scheduled-subject = Tu cuenta se eliminará
# $when is a date and time.
email-deletion-scheduled = Has solicitado eliminar tu cuenta. Se eliminará con todo su contenido después del { $when } y se ha cerrado tu sesión en todos los dispositivos.

    Si quieres conservar tu cuenta, vuelve a iniciar sesión antes de esa fecha: { $link }

    Si no has sido tú, inicia sesión ahora y cambia tu contraseña.
email-deletion-cancelled-subject = Tu cuenta no se eliminará
email-deletion-cancelled = Has iniciado sesión, así que se ha cancelado la eliminación de tu cuenta que habías solicitado. Tu cuenta se queda como estaba.

    Si aun así quieres eliminarla, vuelve a solicitarlo desde tu perfil: { $link }

## Changing the email address. $valid is a period such as "30 minutes".

email-address-taken-subject = Alguien ha intentado usar tu dirección de correo electrónico
email-address-taken = Alguien que ha iniciado sesión en otra cuenta ha pedido usar esta dirección de correo electrónico en esa cuenta. Tu cuenta ya la usa, así que no se ha cambiado nada ni se ha enviado nada más.

    Si no esperabas esto, puedes ignorar este correo. Revisa tu cuenta: { $link }
email-change-confirm-subject = Confirma tu nueva dirección de correo electrónico
email-change-confirm = Para usar esta dirección en tu cuenta, abre este enlace en un plazo de { $valid } (solo funciona una vez):
    { $link }

    Si no lo has solicitado, ignora este correo: no cambiará nada.
# $address is the new address, partly hidden ("a***@example.com").
email-address-changed-subject = Se ha cambiado tu dirección de correo electrónico
email-address-changed = La dirección de correo electrónico de tu cuenta se ha cambiado a { $address }. A partir de ahora, los mensajes sobre tu cuenta se enviarán a esa dirección.

    Si no has sido tú, protege tu cuenta ahora: { $link }

## Links and codes. $valid is a period such as "10 minutes"; $code is a one-time code.

email-magic-link-subject = Tu enlace de inicio de sesión
email-magic-link = Usa este enlace para iniciar sesión en { $product }. Solo funciona una vez y caduca en { $valid }:

    { $link }

    Si no lo has solicitado, ignora este mensaje: nadie puede iniciar sesión sin este enlace.
# $client is an application's name, $binding its own short message, $valid a duration.
email-ciba-subject = { $client } pide tu aprobación
email-ciba = { $client } te pide aprobar una solicitud. Si la esperas, abre este enlace en menos de { $valid } y confirma con tu llave de acceso o un segundo factor:

    { $link }
email-ciba-binding = { $client } te pide aprobar: «{ $binding }». Si lo esperas, abre este enlace en menos de { $valid } y confirma con tu llave de acceso o un segundo factor:

    { $link }
email-verify-subject = Verifica tu dirección de correo electrónico
email-signup-code = Tu código para terminar de crear tu cuenta es { $code }

    También puedes abrir este enlace (solo funciona una vez y es válido durante { $valid }):
    { $link }

    Si no has solicitado una cuenta, ignora este correo: no se creará nada sin esta verificación.
email-verify-code = Tu código para verificar esta dirección de correo electrónico es { $code }

    Solo funciona una vez y es válido durante { $valid }. Si no estás iniciando sesión, ignora este correo.
# $account and $reset are web addresses.
email-signup-taken-subject = Ya tienes una cuenta
email-signup-taken = Alguien, quizá tú, ha intentado crear una cuenta con esta dirección de correo electrónico. Ya tienes una, así que no se ha creado nada.

    Inicia sesión en tu cuenta: { $account }

    ¿Has olvidado tu contraseña? Elige una nueva: { $reset }

    Si no has sido tú, puedes ignorar este correo.
email-reset-subject = Restablece tu contraseña
email-reset = Alguien ha solicitado restablecer la contraseña de tu cuenta. Para elegir una nueva, abre este enlace en un plazo de { $valid } (solo funciona una vez):
    { $link }

    Si no has sido tú, ignora este correo: tu contraseña seguirá siendo la misma.

## Links an administrator sends.

email-enrol-ticket-subject = Configura la verificación en dos pasos
email-enrol-ticket = Tu administrador te ha pedido que añadas un segundo paso de inicio de sesión a tu cuenta.

    Abre este enlace para configurarlo (solo funciona una vez):
    { $link }

    Si no esperabas esto, ignora este correo.
email-password-ticket-subject = Elige tu contraseña
email-password-ticket = Elige una contraseña para tu cuenta con este enlace (solo funciona una vez):
    { $link }

    Si no esperabas esto, ignora este correo.

## One-time codes by email or text message: keep the text short (an SMS in Arabic or Japanese
## holds 70 characters per part). $code is the code, $valid a period such as "10 minutes".

code-message-subject = Tu código de verificación
code-message = Tu código de verificación de { $product } es { $code }. Caduca en { $valid }. Si no lo has solicitado, ignora este mensaje.
