## account

## Requests an app sent that cannot be answered (shown as a page, since the app cannot be told).

# $name is a parameter name such as client_id.
request-repeated = El parámetro { $name } está repetido.
request-no-client-id = La solicitud no tiene client_id.
request-unknown-app = La aplicación no es conocida.
request-no-redirect-uri = La solicitud no tiene redirect_uri.
request-redirect-uri-unregistered = La redirect_uri no está registrada para esta aplicación.
logout-bad-hint = El id_token_hint no es válido.
logout-hint-mismatch = El client_id no coincide con el id_token_hint.
logout-redirect-needs-client = post_logout_redirect_uri necesita client_id o id_token_hint.
logout-redirect-unregistered = La post_logout_redirect_uri no está registrada para esta aplicación.
logout-bad-uri = URI incorrecta.
# $error names the failed rule and what went wrong, in English.
action-failed = No se pudo completar el inicio de sesión: falló una regla definida por el administrador ({ $error }). Inténtalo más tarde o contacta con el administrador.
webauthn-off = Las llaves de acceso y de seguridad están desactivadas en este servidor: su dirección es una dirección IP y necesitan un nombre de dominio.

## The profile page.

profile-title = Perfil
# $email is the user's address.
profile-signed-in-as = Sesión iniciada como { $email }.
profile-verify-first = Para cambiar tu correo electrónico o tu contraseña, primero confirmarás que eres tú.
profile-security-link = Configuración de seguridad
profile-unknown-action = Acción desconocida.
profile-name-heading = Nombre
profile-name-label = Nombre visible
profile-name-button = Guardar nombre
profile-name-saved = Se guardó tu nombre.
profile-language-heading = Idioma
profile-language-lead = El idioma de estas páginas y de los correos que te enviamos.
profile-language-label = Idioma
profile-language-button = Guardar idioma
profile-language-saved = Se guardó tu idioma.
profile-email-heading = Correo electrónico
profile-email-lead = Enviamos un enlace a la nueva dirección; el cambio se hace cuando lo abres, y avisamos a tu dirección actual.
profile-email-label = Nueva dirección de correo
profile-email-button = Enviar enlace
profile-email-button-verify = Confirmar que eres tú y enviar enlace
profile-email-invalid = Escribe una dirección de correo válida.
profile-email-same = Esa ya es tu dirección de correo.
# $new and $current are addresses, $valid a period such as "30 minutes".
profile-email-sent = Enviamos un enlace a { $new }. Ábrelo en menos de { $valid } para terminar el cambio; hasta entonces tu dirección sigue siendo { $current }.
profile-confirm-heading = Confirma tu nueva dirección de correo
profile-confirm-lead = Abriste un enlace para usar esta dirección en tu cuenta. Pulsa el botón para terminar el cambio.
profile-confirm-button = Usar esta dirección
profile-link-expired-heading = Este enlace caducó
profile-link-expired-text = Los enlaces para cambiar el correo funcionan una vez, durante { $valid }, y solo el último enviado. Pide uno nuevo desde tu perfil.
profile-cannot-use-heading = No se puede usar esta dirección
profile-cannot-use-text = Tu dirección de correo no cambió. Elige otra dirección desde tu perfil.
profile-email-changed-heading = Tu dirección de correo cambió
# $address is the new address.
profile-email-changed-text = Tu cuenta usa ahora { $address }. Inicia sesión con ella a partir de ahora.
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
profile-password-changed = Se cambió tu contraseña. Se cerraron tus otras sesiones.
profile-delete-heading = Eliminar cuenta
# $days is the grace period in days.
profile-delete-lead = { $days ->
    [one] Tu cuenta se elimina con todo su contenido { $days } día después de pedirlo, y se cierran todas tus sesiones. Si vuelves a iniciar sesión antes, se conserva.
   *[other] Tu cuenta se elimina con todo su contenido { $days } días después de pedirlo, y se cierran todas tus sesiones. Si vuelves a iniciar sesión antes, se conserva.
}
profile-delete-button = Eliminar mi cuenta
profile-delete-button-verify = Confirmar que eres tú y eliminar mi cuenta
profile-deleted-heading = Tu cuenta se eliminará
# $wait is the grace period in days, e.g. "7 days".
profile-deleted-text = Se cerraron todas tus sesiones. Tu cuenta se eliminará en { $wait }; si inicias sesión antes, se conserva. Te enviamos los detalles por correo.
# $name is the parameter's name, e.g. state; the backquotes are part of the text.
logout-param-repeated = el parámetro `{ $name }` está repetido

## Scopes on the consent page: what the application may do ("It asks to: …").

scope-openid = Saber quién eres (el ID de tu cuenta)
scope-profile = Ver tu nombre
scope-email = Ver tu dirección de correo
scope-offline-access = Mantener el acceso cuando no la estés usando
# An API's own permission: $api is the API's name, $scope the permission's code (e.g. read:payouts).
scope-api = { $api }: { $scope }

## Remembered devices, named after the browser (e.g. "Chrome on Linux").

# $browser is a browser's name (Chrome, Firefox) or device-browser-unknown; $os a system's name
# (Windows, iOS) or device-system-unknown.
device-label = { $browser } en { $os }
device-browser-unknown = Navegador
device-system-unknown = sistema desconocido
