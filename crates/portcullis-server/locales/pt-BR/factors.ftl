## Second factors: the challenge at sign-in, enrolment, recovery codes, the security page and
## the password rules. $product is the product's name (e.g. "Portcullis").

## Kinds of sign-in method, as lists and emails name them.

factor-kind-totp = App autenticador
factor-kind-webauthn = Chave de segurança ou chave de acesso
factor-kind-email = Código por e-mail
factor-kind-sms = Mensagem de texto (SMS)

## The second step at sign-in (/u/mfa).

mfa-title = Confirme que é você
# $days is a whole number of days.
mfa-remember = { $days ->
    [one] Lembrar deste dispositivo por { $days } dia
   *[other] Lembrar deste dispositivo por { $days } dias
}
mfa-webauthn-button = Usar chave de segurança ou chave de acesso
mfa-send-button = Enviar um código
mfa-verify-button = Verificar
# A fold-out list of the user's other sign-in methods.
mfa-other-ways = Tentar de outra forma
# Labels of the code field, by method.
mfa-label-recovery = Código de recuperação
mfa-label-password = Senha
mfa-label-totp = Código do seu app autenticador
mfa-label-code = Código que enviamos para você
# $name is the name the user gave the authenticator app (e.g. "Authenticator app", "My phone").
mfa-lead-totp = Digite o código de 6 dígitos de { $name }.
# $target is a partly hidden email address or phone number, e.g. "a•••@example.com", "•••• 4567".
mfa-lead-send = Vamos enviar um código de 6 dígitos para { $target }.
mfa-lead-webauthn = Use sua chave de segurança ou chave de acesso.
mfa-lead-recovery = Digite um dos códigos de recuperação que você salvou.
mfa-lead-password = Digite sua senha para continuar.
# Entries of "Try another way". $target is a partly hidden phone number or email address.
mfa-way-sms = Mensagem de texto para { $target } (menos segura)
mfa-way-email = Código por e-mail para { $target }
# $kind is a kind of sign-in method ("Authenticator app"), $name the name the user gave it.
mfa-way-factor = { $kind }: { $name }
mfa-way-webauthn = Uma chave de segurança ou chave de acesso
mfa-way-recovery = Um código de recuperação
mfa-way-password = Sua senha
# $valid is a duration such as "10 minutes".
mfa-notice-sent = Enviamos um código para você. Ele é válido por { $valid }.
mfa-error-unavailable = Essa forma de verificação não está disponível.
mfa-error-too-weak = Nenhuma das suas formas de entrar é segura o suficiente para isso.
mfa-error-expired = O tempo para entrar expirou. Volte ao aplicativo e comece de novo.
mfa-error-no-code = Este método não usa código.
mfa-error-send-failed = Não foi possível enviar o código. Tente de novo ou escolha outra forma.
mfa-error-webauthn = Essa chave de segurança ou chave de acesso não foi aceita. Tente de novo.
mfa-error-wrong-code = Esse código não está correto. Confira e tente de novo.

## Errors of the browser's security key or passkey prompt (sign-in and registration).

webauthn-error-cancelled = A solicitação foi cancelada ou expirou. Tente de novo.
webauthn-error-registered = Este autenticador já está registrado.
webauthn-error-failed = Seu navegador ou autenticador não conseguiu concluir esta ação. Tente de novo ou escolha outra forma.

## Choosing a sign-in method to add (/u/enroll).

enroll-title = Adicionar uma forma de entrar
enroll-heading-required = Configure a verificação em duas etapas
enroll-lead-required = Este aplicativo pede uma segunda etapa ao entrar. Escolha como você quer confirmar que é você.
enroll-lead = Escolha um método para adicionar.
# A link, followed by enroll-passkey-note.
enroll-passkey = Chave de acesso
enroll-passkey-note = (recomendado: impressão digital, rosto ou PIN do dispositivo)
enroll-security-key = Chave de segurança
enroll-totp = App autenticador
enroll-email = Códigos por e-mail
# A link, followed by enroll-sms-note.
enroll-sms = Códigos por mensagem de texto
enroll-sms-note = — a opção menos segura: as mensagens podem ser interceptadas ou redirecionadas
enroll-verify-button = Verificar e ativar
# The label of the field for the new method's name.
enroll-name-label = Nome
enroll-error-expired = Este cadastro expirou. Comece de novo desde o início.
enroll-error-not-allowed = Este aplicativo não permite esse método. Escolha outro.
enroll-error-email-proved = Você entrou com seu e-mail, então códigos por e-mail não adicionariam uma segunda etapa. Escolha outro método.
enroll-error-channel = Canal desconhecido.
enroll-error-style = Tipo de autenticador desconhecido.

## Codes by email or text message (/u/enroll/oob).

enroll-oob-title-sms = Configurar códigos por mensagem de texto
enroll-oob-title-email = Configurar códigos por e-mail
enroll-oob-heading-sms = Códigos por mensagem de texto
enroll-oob-heading-email = Códigos por e-mail
enroll-oob-sms-warning = Mensagens de texto são a forma de verificação menos segura: elas podem ser interceptadas ou redirecionadas para outro chip. Prefira um app autenticador ou uma chave de acesso.
enroll-oob-label-sms = Número de celular
enroll-oob-label-email = Endereço de e-mail
enroll-oob-send = Enviar um código
# $target is the email address or phone number; $valid a duration such as "10 minutes".
enroll-oob-sent = Enviamos um código de 6 dígitos para { $target }. Ele é válido por { $valid }.
enroll-oob-code-label = Código
enroll-oob-error-sms = Digite o número no formato internacional, como +55 11 91234-5678.
enroll-oob-error-email = Digite um endereço de e-mail válido.
enroll-oob-error-code = Esse código não está correto ou expirou. Confira e tente de novo.
# The names new methods get (the user can rename them on the security page).
enroll-oob-name-sms = Telefone
enroll-oob-name-email = E-mail

## An authenticator app (/u/enroll/totp).

enroll-totp-title = Configure um app autenticador
enroll-totp-lead = Leia o código com um app autenticador e depois digite o código de 6 dígitos que ele mostrar.
enroll-totp-qr = QR code para o seu app autenticador
enroll-totp-manual = Não consegue ler o código? Digite esta chave:
enroll-totp-open = Abrir em um app autenticador neste dispositivo
enroll-totp-code-label = Código do app
# The name a new authenticator app gets unless the user types another.
enroll-totp-name = App autenticador
enroll-totp-error = Esse código não confere. Verifique o horário do seu dispositivo e digite o código atual.

## A passkey or a security key (/u/enroll/webauthn).

enroll-passkey-title = Criar uma chave de acesso
enroll-passkey-lead = Entre com sua impressão digital, seu rosto ou o PIN do dispositivo em vez de uma senha. A chave de acesso fica no seu dispositivo ou no seu gerenciador de senhas.
enroll-passkey-button = Criar chave de acesso
# The name a new passkey gets unless the user types another.
enroll-passkey-name = Chave de acesso
enroll-key-title = Adicionar uma chave de segurança
enroll-key-lead = Use uma chave física (como uma YubiKey) ou seu dispositivo como segunda etapa depois da senha.
enroll-key-button = Adicionar chave de segurança
# The name a new security key gets unless the user types another.
enroll-key-name = Chave de segurança
enroll-webauthn-noscript = Isto precisa de JavaScript. Se ele estiver desativado, escolha outro método.
enroll-webauthn-error = Não foi possível verificar a resposta do seu autenticador. Tente de novo.

## Recovery codes, shown once.

recovery-codes-title = Salve seus códigos de recuperação
recovery-codes-lead = Se você perder seu dispositivo, cada um destes códigos permite entrar uma vez. Eles só aparecem agora: guarde-os em um lugar seguro.
recovery-codes-download = Baixar como arquivo de texto
recovery-codes-copy = Copiar
# Shown on the copy button once the codes are on the clipboard.
recovery-codes-copied = Copiado
recovery-codes-continue = Já salvei — continuar
# The first lines of the downloaded text file.
recovery-codes-file-heading = Códigos de recuperação – { $product }
recovery-codes-file-note = Cada código funciona uma única vez.

## The security page (/u/account/security).

security-title = Segurança
# $email is the user's email address.
security-signed-in-as = Conectado como { $email }.
security-verify-first = Para fazer alterações, primeiro confirme que é você.
security-profile = Perfil
security-sign-out = Sair
security-factors = Formas de entrar
security-no-factors = Você ainda não tem um segundo fator. Adicione um para que uma senha roubada não baste para acessar sua conta.
security-col-method = Método
security-col-name = Nome
security-col-added = Adicionado em
security-col-last-used = Último uso
security-col-actions = Ações
# After a text message method in the list.
security-least-secure = (menos segura)
security-kind-passkey = Chave de acesso
security-kind-security-key = Chave de segurança
# Where a passkey or security key lives (shown in parentheses after its kind).
security-note-synced = sincronizada com seus outros dispositivos
security-note-syncable = pode ser sincronizada
security-note-device-only = somente neste dispositivo
# A date that never happened ("Last used: never").
security-never = nunca
# For screen readers. $name is the name of a sign-in method.
security-rename-label = Novo nome para { $name }
security-rename = Renomear
# For screen readers. $name is the name of a sign-in method.
security-remove-label = Remover { $name }
security-remove = Remover
security-add-method = Adicionar uma forma de entrar
security-recovery = Códigos de recuperação
# $n is a whole number.
security-recovery-left = { $n ->
    [one] { $n } código de recuperação não usado.
   *[other] { $n } códigos de recuperação não usados.
}
security-regenerate = Gerar novos códigos (os antigos deixam de funcionar)
security-devices = Dispositivos lembrados
security-no-devices = Nenhum.
security-col-device = Dispositivo
security-col-remembered = Lembrado em
security-forget = Esquecer
security-links = Contas conectadas
security-col-account = Conta
security-col-connected = Conectada em
# For screen readers. $account is a connected account's provider, e.g. "Google".
security-disconnect-label = Desconectar { $account }
security-disconnect = Desconectar
security-apps = Apps que você autorizou
security-col-app = App
# The column of what an app may do (its scopes).
security-col-can = Pode
security-col-since = Desde
# For screen readers. $client is an application's name.
security-revoke-label = Remover o acesso de { $client }
security-revoke = Remover acesso
security-sessions = Sessões
security-col-ip = Endereço IP
security-col-started = Início
security-col-last-seen = Última atividade
# The assurance level of a session (aal1, aal2…).
security-col-level = Nível
security-col-action = Ação
security-this-session = Esta sessão
# The button that ends another session.
security-end-session = Sair
security-events = Eventos de segurança recentes
security-col-when = Quando
security-col-event = Evento
security-col-from = Origem
security-error-gone = Esse item não existe mais.
security-error-empty-name = O nome não pode ficar vazio.
security-error-no-factor = Primeiro adicione uma forma de entrar: os códigos de recuperação vêm com ela.
security-error-last-link = É assim que você entra. Primeiro crie uma senha na sua página de perfil e depois desconecte esta conta.
security-error-action = Ação desconhecida.

## New passwords: the strength meter and the rules (sign-up, reset, profile).

# The strength meter's name, for screen readers.
password-meter-label = Força da senha
password-meter-strong = Senha forte.
password-meter-acceptable = Aceitável. Mais algumas palavras incomuns a deixariam mais forte.
# $min is the shortest length allowed, a number.
password-rule-too-short = { $min ->
    [one] A senha precisa ter pelo menos { $min } caractere.
   *[other] A senha precisa ter pelo menos { $min } caracteres.
}
# $max is the longest length allowed, a number.
password-rule-too-long = { $max ->
    [one] A senha pode ter no máximo { $max } caractere.
   *[other] A senha pode ter no máximo { $max } caracteres.
}
password-rule-unprintable = A senha não pode conter caracteres de controle.
password-rule-common = Esta senha é muito comum ou já apareceu em vazamentos de dados.
password-rule-personal = A senha não pode conter seu endereço de e-mail nem seu nome.
password-rule-guessable = A senha é fácil demais de adivinhar; algumas palavras incomuns formam uma senha forte.

## The security page's recent events: one per audit event kind (kinds without a message
## show as stored). Short, like a log line, in the past tense.

event-login-success = Login efetuado
event-login-failure = Falha no login
event-lockout = Login pausado após muitas tentativas
event-mfa-challenged = Segunda etapa solicitada
event-factor-enrolled = Método de login adicionado
event-factor-removed = Método de login removido
event-factor-renamed = Método de login renomeado
event-factor-failure = Código ou chave de segurança incorretos
event-factor-associated = Método de login adicionado por um aplicativo
event-recovery-code-used = Código de recuperação usado
event-recovery-codes-regenerated = Novos códigos de recuperação gerados
event-recovery-codes-removed = Códigos de recuperação removidos
event-password-changed = Senha alterada
event-password-change-failed = Alteração de senha recusada
event-password-reset-requested = Redefinição de senha solicitada
event-password-reset-forced = Nova senha exigida por um administrador
event-password-rehashed = Armazenamento da senha reforçado
event-device-forgotten = Dispositivo lembrado esquecido
event-session-revoked = Sessão encerrada
event-session-logout = Logout efetuado
event-session-ended = Sessão encerrada
event-signup-success = Conta criada
event-magic-link-sent = Link de login enviado
event-stepup-requested = Verificação adicional solicitada
event-stepup-met = Verificação adicional concluída
event-stepup-failed = Falha na verificação adicional
event-consent-granted = Aplicativo autorizado
event-consent-denied = Aplicativo recusado
event-consent-revoked = Acesso do aplicativo removido
event-token-exchanged = O serviço de um app agiu por você
event-ciba-requested = Um app pediu a sua aprovação
event-upstream-linked = Conta conectada
event-upstream-unlinked = Conta desconectada
event-user-created = Conta criada
event-user-updated = Dados da conta alterados
event-user-blocked = Conta bloqueada
event-user-unblocked = Conta desbloqueada
event-user-deletion-scheduled = Exclusão da conta agendada
event-user-deletion-cancelled = Exclusão da conta cancelada
event-user-email-change-requested = Alteração de e-mail solicitada
event-user-email-changed = Endereço de e-mail alterado
event-user-email-verified = Endereço de e-mail confirmado
event-user-sessions-ended = Todas as sessões encerradas
event-user-role-changed = Funções alteradas
event-ticket-created = Link de configuração criado
event-ticket-password-change-created = Link de senha criado
event-ticket-used = Link de configuração usado
