## Second factors: the challenge at sign-in, enrolment, recovery codes, the security page and
## the password rules. $product is the product's name (e.g. "Portcullis").

## Kinds of sign-in method, as lists and emails name them.

factor-kind-totp = App de autenticación
factor-kind-webauthn = Llave de seguridad o llave de acceso
factor-kind-email = Código por correo electrónico
factor-kind-sms = Mensaje de texto (SMS)

## The second step at sign-in (/u/mfa).

mfa-title = Confirma que eres tú
# $days is a whole number of days.
mfa-remember = { $days ->
    [one] Recordar este dispositivo durante { $days } día
   *[other] Recordar este dispositivo durante { $days } días
}
mfa-webauthn-button = Usar llave de seguridad o llave de acceso
mfa-send-button = Enviar un código
mfa-verify-button = Verificar
# A fold-out list of the user's other sign-in methods.
mfa-other-ways = Probar de otra forma
# Labels of the code field, by method.
mfa-label-recovery = Código de recuperación
mfa-label-password = Contraseña
mfa-label-totp = Código de tu app de autenticación
mfa-label-code = Código que te enviamos
# $name is the name the user gave the authenticator app (e.g. "Authenticator app", "My phone").
mfa-lead-totp = Introduce el código de 6 dígitos de { $name }.
# $target is a partly hidden email address or phone number, e.g. "a•••@example.com", "•••• 4567".
mfa-lead-send = Te enviaremos un código de 6 dígitos a { $target }.
mfa-lead-webauthn = Usa tu llave de seguridad o llave de acceso.
mfa-lead-recovery = Introduce uno de los códigos de recuperación que guardaste.
mfa-lead-password = Introduce tu contraseña para continuar.
# Entries of "Try another way". $target is a partly hidden phone number or email address.
mfa-way-sms = Mensaje de texto a { $target } (la opción menos segura)
mfa-way-email = Código por correo electrónico a { $target }
# $kind is a kind of sign-in method ("Authenticator app"), $name the name the user gave it.
mfa-way-factor = { $kind }: { $name }
mfa-way-webauthn = Una llave de seguridad o llave de acceso
mfa-way-recovery = Un código de recuperación
mfa-way-password = Tu contraseña
# $valid is a duration such as "10 minutes".
mfa-notice-sent = Te enviamos un código. Es válido durante { $valid }.
mfa-error-unavailable = Esa forma de verificación no está disponible.
mfa-error-too-weak = Ninguno de tus métodos de inicio de sesión es lo bastante seguro para esto.
mfa-error-expired = Este inicio de sesión caducó. Vuelve a la aplicación y empieza de nuevo.
mfa-error-no-code = Este método no usa códigos.
mfa-error-send-failed = No pudimos enviar el código. Inténtalo de nuevo o elige otra forma.
mfa-error-webauthn = No se aceptó esa llave de seguridad o llave de acceso. Inténtalo de nuevo.
mfa-error-wrong-code = Ese código no es correcto. Revísalo e inténtalo de nuevo.

## Errors of the browser's security key or passkey prompt (sign-in and registration).

webauthn-error-cancelled = La solicitud se canceló o se agotó el tiempo de espera. Inténtalo de nuevo.
webauthn-error-registered = Este autenticador ya está registrado.
webauthn-error-failed = Tu navegador o autenticador no pudo completar la operación. Inténtalo de nuevo o elige otra forma.

## Choosing a sign-in method to add (/u/enroll).

enroll-title = Añadir un método de inicio de sesión
enroll-heading-required = Configura la verificación en dos pasos
enroll-lead-required = Esta aplicación pide un segundo paso al iniciar sesión. Elige cómo quieres confirmar que eres tú.
enroll-lead = Elige un método para añadir.
# A link, followed by enroll-passkey-note.
enroll-passkey = Llave de acceso
enroll-passkey-note = (recomendado: huella dactilar, rostro o PIN del dispositivo)
enroll-security-key = Llave de seguridad
enroll-totp = App de autenticación
enroll-email = Códigos por correo electrónico
# A link, followed by enroll-sms-note.
enroll-sms = Códigos por mensaje de texto
enroll-sms-note = — la opción menos segura: los mensajes pueden interceptarse o desviarse
enroll-verify-button = Verificar y activar
# The label of the field for the new method's name.
enroll-name-label = Nombre
enroll-error-expired = Este registro caducó. Empieza de nuevo desde el principio.
enroll-error-not-allowed = Esta aplicación no permite ese método. Elige otro.
enroll-error-email-proved = Iniciaste sesión con tu correo electrónico, así que los códigos por correo no añadirían un segundo paso. Elige otro método.
enroll-error-channel = Canal desconocido.
enroll-error-style = Tipo de autenticador desconocido.

## Codes by email or text message (/u/enroll/oob).

enroll-oob-title-sms = Configurar códigos por mensaje de texto
enroll-oob-title-email = Configurar códigos por correo electrónico
enroll-oob-heading-sms = Códigos por mensaje de texto
enroll-oob-heading-email = Códigos por correo electrónico
enroll-oob-sms-warning = Los mensajes de texto son la forma de verificación menos segura: pueden interceptarse o desviarse a otra SIM. Es mejor usar una app de autenticación o una llave de acceso.
enroll-oob-label-sms = Número de móvil
enroll-oob-label-email = Correo electrónico
enroll-oob-send = Enviar un código
# $target is the email address or phone number; $valid a duration such as "10 minutes".
enroll-oob-sent = Enviamos un código de 6 dígitos a { $target }. Es válido durante { $valid }.
enroll-oob-code-label = Código
enroll-oob-error-sms = Introduce el número en formato internacional, por ejemplo +34 612 34 56 78.
enroll-oob-error-email = Introduce un correo electrónico válido.
enroll-oob-error-code = Ese código no es correcto o caducó. Revísalo e inténtalo de nuevo.
# The names new methods get (the user can rename them on the security page).
enroll-oob-name-sms = Teléfono
enroll-oob-name-email = Correo electrónico

## An authenticator app (/u/enroll/totp).

enroll-totp-title = Configura una app de autenticación
enroll-totp-lead = Escanea el código con una app de autenticación y luego introduce el código de 6 dígitos que muestre.
enroll-totp-qr = Código QR para tu app de autenticación
enroll-totp-manual = ¿No puedes escanearlo? Introduce esta clave en su lugar:
enroll-totp-open = Abrir en una app de autenticación de este dispositivo
enroll-totp-code-label = Código de la app
# The name a new authenticator app gets unless the user types another.
enroll-totp-name = App de autenticación
enroll-totp-error = Ese código no coincide. Revisa la hora de tu dispositivo e introduce el código actual.

## A passkey or a security key (/u/enroll/webauthn).

enroll-passkey-title = Crear una llave de acceso
enroll-passkey-lead = Inicia sesión con tu huella dactilar, tu rostro o el PIN del dispositivo en lugar de una contraseña. La llave de acceso se queda en tu dispositivo o en tu gestor de contraseñas.
enroll-passkey-button = Crear llave de acceso
# The name a new passkey gets unless the user types another.
enroll-passkey-name = Llave de acceso
enroll-key-title = Añadir una llave de seguridad
enroll-key-lead = Usa una llave física (como una YubiKey) o tu dispositivo como segundo paso después de tu contraseña.
enroll-key-button = Añadir llave de seguridad
# The name a new security key gets unless the user types another.
enroll-key-name = Llave de seguridad
enroll-webauthn-noscript = Esto necesita JavaScript. Si está desactivado, elige otro método.
enroll-webauthn-error = No se pudo verificar la respuesta de tu autenticador. Inténtalo de nuevo.

## Recovery codes, shown once.

recovery-codes-title = Guarda tus códigos de recuperación
recovery-codes-lead = Si pierdes tu dispositivo, cada uno de estos códigos te permite iniciar sesión una vez. Solo se muestran ahora: guárdalos en un lugar seguro.
recovery-codes-download = Descargar como archivo de texto
recovery-codes-copy = Copiar
# Shown on the copy button once the codes are on the clipboard.
recovery-codes-copied = Copiado
recovery-codes-continue = Ya los guardé — continuar
# The first lines of the downloaded text file.
recovery-codes-file-heading = Códigos de recuperación de { $product }
recovery-codes-file-note = Cada código funciona una sola vez.

## The security page (/u/account/security).

security-title = Seguridad
# $email is the user's email address.
security-signed-in-as = Sesión iniciada como { $email }.
security-verify-first = Para hacer cambios, primero tendrás que confirmar que eres tú.
security-profile = Perfil
security-sign-out = Cerrar sesión
security-factors = Métodos de inicio de sesión
security-no-factors = Aún no tienes un segundo factor. Añade uno para que una contraseña robada no baste para entrar.
security-col-method = Método
security-col-name = Nombre
security-col-added = Añadido
security-col-last-used = Último uso
security-col-actions = Acciones
# After a text message method in the list.
security-least-secure = (la opción menos segura)
security-kind-passkey = Llave de acceso
security-kind-security-key = Llave de seguridad
# Where a passkey or security key lives (shown in parentheses after its kind).
security-note-synced = sincronizada con tus otros dispositivos
security-note-syncable = se puede sincronizar
security-note-device-only = solo en este dispositivo
# A date that never happened ("Last used: never").
security-never = nunca
# For screen readers. $name is the name of a sign-in method.
security-rename-label = Nuevo nombre para { $name }
security-rename = Cambiar nombre
# For screen readers. $name is the name of a sign-in method.
security-remove-label = Quitar { $name }
security-remove = Quitar
security-add-method = Añadir un método de inicio de sesión
security-recovery = Códigos de recuperación
# $n is a whole number.
security-recovery-left = { $n ->
    [one] { $n } código de recuperación sin usar.
   *[other] { $n } códigos de recuperación sin usar.
}
security-regenerate = Generar códigos nuevos (los anteriores dejarán de funcionar)
security-devices = Dispositivos recordados
security-no-devices = Ninguno.
security-col-device = Dispositivo
security-col-remembered = Recordado desde
security-forget = Olvidar
security-links = Cuentas conectadas
security-col-account = Cuenta
security-col-connected = Conectada desde
# For screen readers. $account is a connected account's provider, e.g. "Google".
security-disconnect-label = Desconectar { $account }
security-disconnect = Desconectar
security-apps = Apps a las que diste acceso
security-col-app = App
# The column of what an app may do (its scopes).
security-col-can = Puede
security-col-since = Desde
# For screen readers. $client is an application's name.
security-revoke-label = Quitar el acceso de { $client }
security-revoke = Quitar acceso
security-sessions = Sesiones
security-col-ip = Dirección IP
security-col-started = Inicio
security-col-last-seen = Última actividad
# The assurance level of a session (aal1, aal2…).
security-col-level = Nivel
security-col-action = Acción
security-this-session = Esta sesión
# The button that ends another session.
security-end-session = Cerrar sesión
security-events = Eventos de seguridad recientes
security-col-when = Cuándo
security-col-event = Evento
security-col-from = Origen
security-error-gone = Ese elemento ya no existe.
security-error-empty-name = El nombre no puede estar vacío.
security-error-no-factor = Primero añade un método de inicio de sesión: los códigos de recuperación vienen con él.
security-error-last-link = Así es como inicias sesión. Primero elige una contraseña en tu página de perfil y después desconecta esta cuenta.
security-error-action = Acción desconocida.

## New passwords: the strength meter and the rules (sign-up, reset, profile).

# The strength meter's name, for screen readers.
password-meter-label = Seguridad de la contraseña
password-meter-strong = Contraseña segura.
password-meter-acceptable = Aceptable. Unas cuantas palabras poco comunes más la harían más segura.
# $min is the shortest length allowed, a number.
password-rule-too-short = { $min ->
    [one] La contraseña debe tener al menos { $min } carácter.
   *[other] La contraseña debe tener al menos { $min } caracteres.
}
# $max is the longest length allowed, a number.
password-rule-too-long = { $max ->
    [one] La contraseña debe tener como máximo { $max } carácter.
   *[other] La contraseña debe tener como máximo { $max } caracteres.
}
password-rule-unprintable = La contraseña no debe contener caracteres de control.
password-rule-common = Esta contraseña es muy común o ha aparecido en filtraciones de datos.
password-rule-personal = La contraseña no debe contener tu correo electrónico ni tu nombre.
password-rule-guessable = La contraseña es demasiado fácil de adivinar; unas cuantas palabras poco comunes forman una contraseña segura.

## The security page's recent events: one per audit event kind (kinds without a message
## show as stored). Short, like a log line, in the past tense.

event-login-success = Inicio de sesión
event-login-failure = Inicio de sesión fallido
event-lockout = Inicio de sesión pausado tras demasiados intentos
event-mfa-challenged = Segundo paso solicitado
event-factor-enrolled = Método de inicio de sesión añadido
event-factor-removed = Método de inicio de sesión eliminado
event-factor-renamed = Método de inicio de sesión renombrado
event-factor-failure = Código o llave de seguridad incorrectos
event-factor-associated = Método de inicio de sesión añadido por una aplicación
event-recovery-code-used = Código de recuperación usado
event-recovery-codes-regenerated = Nuevos códigos de recuperación creados
event-recovery-codes-removed = Códigos de recuperación eliminados
event-password-changed = Contraseña cambiada
event-password-change-failed = Cambio de contraseña rechazado
event-password-reset-requested = Restablecimiento de contraseña solicitado
event-password-reset-forced = Un administrador exige una nueva contraseña
event-password-rehashed = Almacenamiento de la contraseña reforzado
event-device-forgotten = Dispositivo recordado olvidado
event-session-revoked = Sesión finalizada
event-session-logout = Sesión cerrada
event-session-ended = Sesión finalizada
event-signup-success = Cuenta creada
event-magic-link-sent = Enlace de inicio de sesión enviado
event-stepup-requested = Verificación adicional solicitada
event-stepup-met = Verificación adicional superada
event-stepup-failed = Verificación adicional fallida
event-consent-granted = Aplicación autorizada
event-consent-denied = Aplicación rechazada
event-consent-revoked = Acceso de la aplicación retirado
event-token-exchanged = El servicio de una app actuó en tu nombre
event-ciba-requested = Una app pidió tu aprobación
event-upstream-linked = Cuenta conectada
event-upstream-unlinked = Cuenta desconectada
event-user-created = Cuenta creada
event-user-updated = Datos de la cuenta cambiados
event-user-blocked = Cuenta bloqueada
event-user-unblocked = Cuenta desbloqueada
event-user-deletion-scheduled = Eliminación de la cuenta programada
event-user-deletion-cancelled = Eliminación de la cuenta cancelada
event-user-email-change-requested = Cambio de correo electrónico solicitado
event-user-email-changed = Correo electrónico cambiado
event-user-email-verified = Correo electrónico confirmado
event-user-sessions-ended = Todas las sesiones finalizadas
event-user-role-changed = Roles cambiados
event-ticket-created = Enlace de configuración creado
event-ticket-password-change-created = Enlace de contraseña creado
event-ticket-used = Enlace de configuración usado
