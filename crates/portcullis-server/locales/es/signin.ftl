## signin


## The sign-in page. $client is the name of the application being signed in to.

login-title = Iniciar sesión
login-heading = Iniciar sesión
login-lead-account = para administrar tu cuenta
login-lead-client = para continuar en { $client }
login-email-label = Correo electrónico
login-password-label = Contraseña
login-continue = Continuar
login-magic-link = Enviarme un enlace de inicio de sesión por correo
# $provider is the name of another sign-in service, e.g. "Google".
login-continue-with = Continuar con { $provider }
login-forgot-password = ¿Olvidaste tu contraseña?
# Followed by the link login-signup-link.
login-signup-prompt = ¿No tienes una cuenta?
login-signup-link = Crear una cuenta
login-passkey = Iniciar sesión con una llave de acceso
login-error-wrong = El correo electrónico o la contraseña no son correctos.
login-error-passkey = No se pudo iniciar sesión con esa llave de acceso. Vuelve a intentarlo o usa tu contraseña.
login-expired = Esta solicitud de inicio de sesión caducó o no se reconoce. Vuelve a la aplicación y empieza de nuevo.
signin-expired = Este inicio de sesión caducó. Vuelve a la aplicación y empieza de nuevo.
signin-refused = Esta cuenta no puede iniciar sesión aquí. Comunícate con el administrador.
# $reason is the reason the administrator's rules give, as they wrote it.
signin-access-denied = Acceso denegado: { $reason }

## Email sign-in links. $valid is a lifetime such as "10 minutes".

magic-missing-email-heading = Escribe tu dirección de correo electrónico
magic-missing-email-text = Vuelve atrás y escribe la dirección de correo electrónico de tu cuenta para recibir un enlace de inicio de sesión.
magic-sent-heading = Revisa tu correo
# $email is the address typed on the sign-in page.
magic-sent-text = Si { $email } tiene una cuenta, le enviamos un enlace de inicio de sesión. Funciona una sola vez, durante { $valid }. Puedes cerrar esta página.
magic-link-heading = Continuar con el inicio de sesión
magic-link-lead = Abriste un enlace de inicio de sesión. Continúa en este dispositivo para iniciar sesión.
magic-link-button = Iniciar sesión
magic-expired-heading = Este enlace caducó
magic-expired-text = Los enlaces de inicio de sesión funcionan una sola vez, durante { $valid }, y solo sirve el último que se envió. Vuelve a la página de inicio de sesión para obtener uno nuevo.

## Password reset. $valid is a lifetime such as "30 minutes".

reset-title = Restablecer tu contraseña
reset-heading = Restablecer tu contraseña
reset-lead = Escribe la dirección de correo electrónico de tu cuenta. Te enviaremos un enlace para elegir una contraseña nueva.
reset-email-label = Correo electrónico
reset-send = Enviar el enlace
reset-sent-heading = Revisa tu correo
reset-sent-text = Si alguna cuenta usa esa dirección, le enviamos un enlace para elegir una contraseña nueva. El enlace funciona una sola vez, durante { $valid }.
reset-link-heading = Elige una contraseña nueva
reset-link-lead = Abriste un enlace para restablecer tu contraseña. Continúa en este dispositivo; si tu cuenta tiene un segundo paso de inicio de sesión, primero te lo pediremos.
reset-link-button = Continuar
reset-expired-heading = Este enlace caducó
reset-expired-text = Los enlaces para restablecer la contraseña funcionan una sola vez, durante { $valid }, y solo sirve el último que se envió. Pide uno nuevo desde la página de inicio de sesión.
reset-new-title = Elige una contraseña nueva
reset-new-heading = Elige una contraseña nueva
# $email is the account's address; $min is the shortest password allowed, a number.
reset-new-lead = Para { $email }. Usa al menos { $min ->
        [one] { $min } carácter
       *[other] { $min } caracteres
    }; unas cuantas palabras poco comunes forman una contraseña segura. Se admiten espacios y cualquier carácter.
reset-new-password-label = Contraseña nueva
reset-new-button = Cambiar contraseña
reset-done-heading = Se cambió tu contraseña
reset-done-text = Se cerraron todas tus sesiones. Vuelve a iniciar sesión con tu contraseña nueva.

## Enrolment links an administrator hands out (tickets).

ticket-title = Configura el inicio de sesión en dos pasos
ticket-heading = Configura el inicio de sesión en dos pasos
# $email is the account's address.
ticket-lead = Tu administrador te pidió que agregues un segundo paso de inicio de sesión a la cuenta { $email }. Solo toma un minuto; este enlace funciona una sola vez.
ticket-start = Comenzar
ticket-expired-heading = Este enlace caducó
ticket-expired-text = Los enlaces de configuración funcionan una sola vez y durante un tiempo limitado. Pide uno nuevo a tu administrador.
ticket-done-heading = Todo listo
ticket-done-text = Tu nuevo método de inicio de sesión está listo. Inicia sesión en tus aplicaciones como siempre; te lo pedirán cuando lo necesiten.

## Signing in with another service. $provider is its name, e.g. "Google".

upstream-no-provider = Este proveedor de inicio de sesión no existe.
upstream-failed-heading = No se pudo iniciar sesión
upstream-failed-text = { $provider } no pudo iniciar tu sesión en este momento. Vuelve atrás e inténtalo de nuevo, o inicia sesión de otra forma.
# The same, when the provider is no longer configured.
upstream-failed-text-unknown = El proveedor no pudo iniciar tu sesión en este momento. Vuelve atrás e inténtalo de nuevo, o inicia sesión de otra forma.
upstream-not-signed-in-heading = No se inició sesión
upstream-denied-text = No iniciaste sesión con { $provider }. Vuelve atrás para intentarlo de nuevo, o inicia sesión de otra forma.
upstream-error-text = { $provider } no pudo iniciar tu sesión. Vuelve atrás para intentarlo de nuevo, o inicia sesión de otra forma.
upstream-refused-heading = No se puede iniciar sesión con { $provider }
upstream-refused-blocked = Esta cuenta no puede iniciar sesión.
upstream-refused-unverified = { $provider } no compartió una dirección de correo electrónico verificada. Verifica tu dirección de correo en { $provider } o inicia sesión de otra forma.
upstream-refused-signup = Aquí no se pueden crear cuentas nuevas. Inicia sesión con una cuenta existente.
upstream-email-unusable = Esta dirección de correo electrónico no se puede usar aquí. Inicia sesión de otra forma.
upstream-link-title = Vincula tu cuenta
upstream-link-heading = Este correo ya tiene una cuenta
# $email is the address the provider shared.
upstream-link-lead = Ya existe una cuenta con { $email }. Inicia sesión en ella una vez para vincular { $provider }; después, { $provider } iniciará tu sesión directamente.
upstream-link-password-label = Contraseña
upstream-link-button = Iniciar sesión y vincular
# A link, followed by upstream-link-other-note.
upstream-link-other = Iniciar sesión de otra forma
upstream-link-other-note = (la vinculación se hace en cuanto inicies sesión).
upstream-link-error-wrong = La contraseña no es correcta.

## Consent to a third-party application. $client is the application's name.

consent-title = ¿Permitir el acceso a { $client }?
consent-heading = ¿Permitir que { $client } use tu cuenta?
# $email is the signed-in user's address.
consent-lead = { $client } no lo gestiona el operador de este servicio de inicio de sesión. Iniciaste sesión como { $email }.
# $api is the name of an API the application wants to use for the user (shown in bold); a
# list of permissions follows.
consent-asks-api = Solicita usar { $api } en tu nombre y, además:
# Followed by a list of permissions.
consent-asks = Solicita:
consent-note = Puedes retirar este permiso en cualquier momento desde tu página de seguridad.
consent-allow = Permitir
consent-deny = Denegar
consent-expired = Esta solicitud caducó o no se reconoce. Vuelve a la aplicación y empieza de nuevo.
consent-choose = Elige Permitir o Denegar.

## Signing in a device (a TV, a command line) with the code it shows. $client is the application's name.

device-title = Conectar un dispositivo
device-heading = Conectar un dispositivo
device-lead = Introduce el código que muestra tu dispositivo.
device-code-label = Código
device-continue = Continuar
device-code-invalid = Este código no es válido, ya se usó o ha caducado. Comprueba el código en tu dispositivo o vuelve a empezar allí.
# $email is the signed-in user's address. The code follows, on its own line.
device-consent-lead = Un dispositivo pide usar { $client } como { $email }. Permítelo solo si lo has iniciado tú y el dispositivo muestra este código:
device-done-heading = Dispositivo conectado
device-done = Tu dispositivo ya ha iniciado sesión en { $client }. Puedes cerrar esta página.
device-denied-heading = Dispositivo no conectado
device-denied = El dispositivo no ha iniciado sesión. Puedes cerrar esta página.

## Approving an application's request from the emailed link (CIBA). $client is the application's name.

ciba-title = Aprobar una solicitud
ciba-heading = Aprobar una solicitud
ciba-lead = { $client } pide tu aprobación. Continúa solo si la esperas; primero confirmarás quién eres.
ciba-continue = Continuar
ciba-deny = Rechazar
ciba-invalid = Esta solicitud ha caducado, ya tiene respuesta o no se conoce. Vuelve a pedirla desde la aplicación si aún la necesitas.
# $email is the signed-in user's address. The application's own message follows, on its own line.
ciba-consent-lead = { $client } pide actuar como { $email }. Permítelo solo si lo esperas y la aplicación muestra el mismo mensaje:
ciba-done-heading = Solicitud aprobada
ciba-done = { $client } tiene tu aprobación. Puedes cerrar esta página.
ciba-denied-heading = Solicitud rechazada
ciba-denied = La aplicación ha recibido un no. Puedes cerrar esta página.
ciba-wrong-account = Iniciaste sesión con otra cuenta distinta de la de esta solicitud, así que se ha rechazado.

## Creating an account. $client is the application's name.

signup-title = Crea tu cuenta
signup-heading = Crea tu cuenta
signup-lead-account = para administrar tus métodos de inicio de sesión
signup-lead-client = para continuar en { $client }
signup-email-label = Correo electrónico
signup-name-label = Nombre
signup-name-optional = (opcional)
signup-password-label = Contraseña
# $min is the shortest password allowed, a number.
signup-password-note = Al menos { $min ->
        [one] { $min } carácter
       *[other] { $min } caracteres
    }. Unas cuantas palabras poco comunes forman una contraseña segura; se admiten espacios y cualquier carácter.
signup-button = Crear cuenta
# Followed by the link signup-signin-link.
signup-signin-prompt = ¿Ya tienes una cuenta?
signup-signin-link = Inicia sesión
signup-error-email = Escribe una dirección de correo electrónico válida.
signup-closed-heading = El registro no está disponible
signup-closed-text = Aquí no se pueden crear cuentas nuevas. Pide una cuenta al administrador de la aplicación.
signup-expired-heading = Este registro caducó
# $valid is a lifetime such as "30 minutes".
signup-expired-text = Los códigos y enlaces de registro funcionan una sola vez, durante { $valid }, y solo sirve el último que se envió. Vuelve a empezar desde la aplicación.
signup-confirm-heading = Verifica tu dirección de correo electrónico
signup-confirm-lead = Abriste el enlace que termina de crear tu cuenta.
signup-confirm-button = Verificar y crear mi cuenta
signup-ready-heading = Tu cuenta está lista
signup-ready-text = Tu dirección de correo electrónico está verificada. Vuelve a la aplicación e inicia sesión.

## The emailed code, at sign-up and when an address must be verified to sign in. $email is
## the address the code went to.

signup-code-heading = Revisa tu correo
verify-heading = Verifica tu dirección de correo electrónico
verify-lead = Enviamos un código de seis dígitos a { $email }. Escríbelo aquí.
# At sign-up, where the email also holds a link.
signup-code-lead = Enviamos un código de seis dígitos a { $email }. Escríbelo aquí o abre el enlace de ese correo.
signup-code-label = Código
signup-code-button = Verificar
signup-code-resend = Enviar un código nuevo
signup-code-resent = Enviamos un código nuevo. Solo sirve el más reciente.
signup-code-error = Ese código no es correcto o caducó. Revisa el correo más reciente o vuelve a empezar.
verify-error = Ese código no es correcto o caducó. Vuelve a iniciar sesión para recibir uno nuevo.
signup-code-too-many = Ya enviamos varios códigos. Revisa tu carpeta de spam o vuelve a empezar más tarde.
