## account

## Requests an app sent that cannot be answered (shown as a page, since the app cannot be told).

# $name is a parameter name such as client_id.
request-repeated = El parámetro { $name } está repetido.
request-no-client-id = La solicitud no tiene client_id.
request-unknown-app = No se reconoce la aplicación.
request-no-redirect-uri = La solicitud no tiene redirect_uri.
request-redirect-uri-unregistered = La redirect_uri no está registrada para esta aplicación.
# A pushed authorization request (request_uri) that is unknown, expired or spent.
request-uri-expired = Esta solicitud de inicio de sesión ha caducado o ya se ha usado. Vuelve a la aplicación e inténtalo de nuevo.
request-object-invalid = La aplicación envió una solicitud de inicio de sesión que no se pudo comprobar (su firma, su vigencia o su destinatario). Vuelve a la aplicación e inténtalo de nuevo.
logout-bad-hint = El id_token_hint no es válido.
logout-hint-mismatch = El client_id no coincide con el id_token_hint.
logout-redirect-needs-client = post_logout_redirect_uri necesita client_id o id_token_hint.
logout-redirect-unregistered = La post_logout_redirect_uri no está registrada para esta aplicación.
logout-bad-uri = URI no válida.
# $error names the failed rule and what went wrong, in English.
action-failed = No se pudo completar el inicio de sesión: falló una regla definida por el administrador ({ $error }). Inténtalo más tarde o ponte en contacto con el administrador.
webauthn-off = Las llaves de acceso y las llaves de seguridad están desactivadas en este servidor: su dirección es una dirección IP y necesitan un nombre de dominio.

## The profile page.

profile-title = Perfil
# $email is the user's address.
profile-signed-in-as = Sesión iniciada como { $email }.
profile-verify-first = Para cambiar tu dirección de correo o tu contraseña, primero tendrás que confirmar que eres tú.
profile-security-link = Configuración de seguridad
profile-unknown-action = Acción desconocida.
profile-name-heading = Nombre
profile-name-label = Nombre visible
profile-name-button = Guardar nombre
profile-name-saved = Se ha guardado tu nombre.
profile-language-heading = Idioma
profile-language-lead = El idioma de estas páginas y de los correos que te enviamos.
profile-language-label = Idioma
profile-language-button = Guardar idioma
profile-language-saved = Se ha guardado tu idioma.
profile-email-heading = Dirección de correo
profile-email-lead = Enviaremos un enlace a la nueva dirección; el cambio se aplica cuando lo abras, y se lo notificaremos a tu dirección actual.
profile-email-label = Nueva dirección de correo
profile-email-button = Enviar enlace
profile-email-button-verify = Confirmar que eres tú y enviar enlace
profile-email-invalid = Escribe una dirección de correo válida.
profile-email-same = Esa ya es tu dirección de correo.
# $new and $current are addresses, $valid a period such as "30 minutes".
profile-email-sent = Hemos enviado un enlace a { $new }. Ábrelo en un plazo de { $valid } para completar el cambio; hasta entonces, tu dirección sigue siendo { $current }.
profile-confirm-heading = Confirma tu nueva dirección de correo
profile-confirm-lead = Has abierto un enlace para usar esta dirección en tu cuenta. Pulsa el botón para completar el cambio.
profile-confirm-button = Usar esta dirección
profile-link-expired-heading = Este enlace ha caducado
profile-link-expired-text = Los enlaces para cambiar el correo solo sirven una vez, durante { $valid }, y solo funciona el último que se envió. Pide uno nuevo desde tu perfil.
profile-cannot-use-heading = No se puede usar esta dirección
profile-cannot-use-text = Tu dirección de correo no se ha cambiado. Elige otra dirección desde tu perfil.
profile-email-changed-heading = Se ha cambiado tu dirección de correo
# $address is the new address.
profile-email-changed-text = Tu cuenta ahora usa { $address }. A partir de ahora, inicia sesión con ella.
profile-password-heading = Contraseña
profile-current-label = Contraseña actual
profile-new-label = Nueva contraseña
# $min is the least number of characters.
profile-password-hint = { $min ->
    [one] Al menos { $min } carácter; unas cuantas palabras poco comunes forman una contraseña segura. Se cerrarán tus otras sesiones.
   *[other] Al menos { $min } caracteres; unas cuantas palabras poco comunes forman una contraseña segura. Se cerrarán tus otras sesiones.
}
profile-password-button = Cambiar contraseña
profile-password-button-verify = Confirmar que eres tú y establecer contraseña
profile-current-wrong = Tu contraseña actual no es correcta.
profile-password-changed = Se ha cambiado tu contraseña. Se han cerrado tus otras sesiones.
profile-delete-heading = Eliminar cuenta
# $days is the grace period in days.
profile-delete-lead = { $days ->
    [one] Tu cuenta y todo su contenido se eliminan { $days } día después de que lo solicites, y se cierra tu sesión en todos los dispositivos. Si vuelves a iniciar sesión antes, la cuenta se conserva.
   *[other] Tu cuenta y todo su contenido se eliminan { $days } días después de que lo solicites, y se cierra tu sesión en todos los dispositivos. Si vuelves a iniciar sesión antes, la cuenta se conserva.
}
profile-delete-button = Eliminar mi cuenta
profile-delete-button-verify = Confirmar que eres tú y eliminar mi cuenta
profile-deleted-heading = Tu cuenta se eliminará
# $wait is the grace period in days, e.g. "7 days".
profile-deleted-text = Se ha cerrado tu sesión en todos los dispositivos. Tu cuenta se eliminará dentro de { $wait }; si inicias sesión antes, se conserva. Te hemos enviado los detalles por correo.
# $name is the parameter's name, e.g. state; the backquotes are part of the text.
logout-param-repeated = el parámetro `{ $name }` está repetido

## Scopes on the consent page: what the application may do ("It asks to: …").

scope-openid = Saber quién eres (el ID de tu cuenta)
scope-profile = Ver tu nombre
scope-email = Ver tu dirección de correo
scope-offline-access = Mantener el acceso aunque no estés usando la aplicación
# An API's own permission: $api is the API's name, $scope the permission's code (e.g. read:payouts).
scope-api = { $api }: { $scope }

## Remembered devices, named after the browser (e.g. "Chrome on Linux").

# $browser is a browser's name (Chrome, Firefox) or device-browser-unknown; $os a system's name
# (Windows, iOS) or device-system-unknown.
device-label = { $browser } en { $os }
device-browser-unknown = Navegador
device-system-unknown = sistema desconocido
