## signin


## The sign-in page. $client is the name of the application being signed in to.

login-title = Entrar
login-heading = Entrar
login-lead-account = para gerenciar sua conta
login-lead-client = para continuar em { $client }
login-email-label = E-mail
login-password-label = Senha
login-continue = Continuar
login-magic-link = Receber um link de acesso por e-mail
# $provider is the name of another sign-in service, e.g. "Google".
login-continue-with = Continuar com { $provider }
login-forgot-password = Esqueceu sua senha?
# Followed by the link login-signup-link.
login-signup-prompt = Não tem uma conta?
login-signup-link = Criar uma conta
login-passkey = Entrar com uma chave de acesso
login-error-wrong = E-mail ou senha incorretos.
login-error-passkey = Não foi possível entrar com essa chave de acesso. Tente de novo ou use sua senha.
login-expired = Esta solicitação de login expirou ou não é reconhecida. Volte ao aplicativo e comece de novo.
signin-expired = Este login expirou. Volte ao aplicativo e comece de novo.
signin-refused = Esta conta não pode entrar aqui. Entre em contato com o administrador.
# $reason is the reason the administrator's rules give, as they wrote it.
signin-access-denied = Acesso negado: { $reason }

## Email sign-in links. $valid is a lifetime such as "10 minutes".

magic-missing-email-heading = Digite seu endereço de e-mail
magic-missing-email-text = Volte e digite o endereço de e-mail da sua conta para receber um link de acesso.
magic-sent-heading = Confira seu e-mail
# $email is the address typed on the sign-in page.
magic-sent-text = Se { $email } tiver uma conta, enviamos um link de acesso para esse endereço. Ele funciona uma única vez, por { $valid }. Você pode fechar esta página.
magic-link-heading = Continuar o login
magic-link-lead = Você abriu um link de acesso. Continue neste dispositivo para entrar.
magic-link-button = Entrar
magic-expired-heading = Este link expirou
magic-expired-text = Os links de acesso funcionam uma única vez, por { $valid }, e só o último enviado é válido. Volte à página de login para receber um novo.

## Password reset. $valid is a lifetime such as "30 minutes".

reset-title = Redefinir sua senha
reset-heading = Redefinir sua senha
reset-lead = Digite o endereço de e-mail da sua conta. Vamos enviar um link para você escolher uma nova senha.
reset-email-label = E-mail
reset-send = Enviar o link
reset-sent-heading = Confira seu e-mail
reset-sent-text = Se alguma conta usar esse endereço, enviamos para ele um link para escolher uma nova senha. O link funciona uma única vez, por { $valid }.
reset-link-heading = Escolha uma nova senha
reset-link-lead = Você abriu um link de redefinição de senha. Continue neste dispositivo; se sua conta tiver uma segunda etapa de login, ela será pedida antes.
reset-link-button = Continuar
reset-expired-heading = Este link expirou
reset-expired-text = Os links de redefinição de senha funcionam uma única vez, por { $valid }, e só o último enviado é válido. Peça um novo na página de login.
reset-new-title = Escolha uma nova senha
reset-new-heading = Escolha uma nova senha
# $email is the account's address; $min is the shortest password allowed, a number.
reset-new-lead = Para { $email }. Use pelo menos { $min ->
        [one] { $min } caractere
       *[other] { $min } caracteres
    }; algumas palavras pouco comuns formam uma senha forte. Espaços e quaisquer caracteres são aceitos.
reset-new-password-label = Nova senha
reset-new-button = Alterar senha
reset-done-heading = Sua senha foi alterada
reset-done-text = Todas as suas sessões foram encerradas. Entre de novo com sua nova senha.

## Enrolment links an administrator hands out (tickets).

ticket-title = Configurar o login em duas etapas
ticket-heading = Configurar o login em duas etapas
# $email is the account's address.
ticket-lead = Seu administrador pediu que você adicione uma segunda etapa de login à conta { $email }. Leva só um minuto; este link funciona uma única vez.
ticket-start = Começar
ticket-expired-heading = Este link expirou
ticket-expired-text = Os links de configuração funcionam uma única vez e por tempo limitado. Peça um novo ao seu administrador.
ticket-done-heading = Tudo pronto
ticket-done-text = Seu novo método de login está pronto. Entre nos seus aplicativos como de costume; eles vão pedir esse método quando precisarem.

## Signing in with another service. $provider is its name, e.g. "Google".

upstream-no-provider = Este provedor de login não existe.
upstream-failed-heading = Não foi possível entrar
upstream-failed-text = { $provider } não conseguiu fazer seu login agora. Volte e tente de novo, ou entre de outra forma.
# The same, when the provider is no longer configured.
upstream-failed-text-unknown = O provedor não conseguiu fazer seu login agora. Volte e tente de novo, ou entre de outra forma.
upstream-not-signed-in-heading = Login não realizado
upstream-denied-text = Você não entrou com { $provider }. Volte para tentar de novo, ou entre de outra forma.
upstream-error-text = { $provider } não conseguiu fazer seu login. Volte para tentar de novo, ou entre de outra forma.
upstream-refused-heading = Não é possível entrar com { $provider }
upstream-refused-blocked = Esta conta não pode entrar.
upstream-refused-unverified = { $provider } não compartilhou um endereço de e-mail verificado. Verifique seu endereço de e-mail em { $provider } ou entre de outra forma.
upstream-refused-signup = Não é possível criar novas contas aqui. Entre com uma conta existente.
upstream-email-unusable = Este endereço de e-mail não pode ser usado aqui. Entre de outra forma.
upstream-link-title = Vincular sua conta
upstream-link-heading = Este e-mail já tem uma conta
# $email is the address the provider shared.
upstream-link-lead = Já existe uma conta com { $email }. Entre nela uma vez para vincular { $provider }; depois disso, { $provider } fará seu login diretamente.
upstream-link-password-label = Senha
upstream-link-button = Entrar e vincular
# A link, followed by upstream-link-other-note.
upstream-link-other = Entrar de outra forma
upstream-link-other-note = (o vínculo é feito assim que você entrar).
upstream-link-error-wrong = Senha incorreta.

## Consent to a third-party application. $client is the application's name.

consent-title = Permitir acesso a { $client }?
consent-heading = Permitir que { $client } use sua conta?
# $email is the signed-in user's address.
consent-lead = { $client } não é operado pelo responsável por este serviço de login. Você entrou como { $email }.
# $api is the name of an API the application wants to use for the user (shown in bold); a
# list of permissions follows.
consent-asks-api = O aplicativo pede para usar { $api } em seu nome e para:
# Followed by a list of permissions.
consent-asks = O aplicativo pede para:
consent-note = Você pode revogar essa permissão a qualquer momento na sua página de segurança.
consent-allow = Permitir
consent-deny = Negar
consent-expired = Esta solicitação expirou ou não é reconhecida. Volte ao aplicativo e comece de novo.
consent-choose = Escolha Permitir ou Negar.

## Signing in a device (a TV, a command line) with the code it shows. $client is the application's name.

device-title = Conectar um dispositivo
device-heading = Conectar um dispositivo
device-lead = Digite o código que o seu dispositivo mostra.
device-code-label = Código
device-continue = Continuar
device-code-invalid = Este código não é válido, já foi usado ou expirou. Confira o código no seu dispositivo ou comece de novo por lá.
# $email is the signed-in user's address. The code follows, on its own line.
device-consent-lead = Um dispositivo pede para usar { $client } como { $email }. Permita somente se foi você quem começou e o dispositivo mostra este código:
device-done-heading = Dispositivo conectado
device-done = Seu dispositivo agora está conectado ao { $client }. Você pode fechar esta página.
device-denied-heading = Dispositivo não conectado
device-denied = O dispositivo não foi conectado. Você pode fechar esta página.

## Approving an application's request from the emailed link (CIBA). $client is the application's name.

ciba-title = Aprovar uma solicitação
ciba-heading = Aprovar uma solicitação
ciba-lead = { $client } pede a sua aprovação. Continue somente se você a espera; primeiro você confirmará quem é.
ciba-continue = Continuar
ciba-deny = Recusar
ciba-invalid = Esta solicitação expirou, já foi respondida ou não é conhecida. Peça de novo pelo aplicativo se ainda precisar.
# $email is the signed-in user's address. The application's own message follows, on its own line.
ciba-consent-lead = { $client } pede para agir como { $email }. Permita somente se você espera isso e o aplicativo mostra a mesma mensagem:
ciba-done-heading = Solicitação aprovada
ciba-done = { $client } tem a sua aprovação. Você pode fechar esta página.
ciba-denied-heading = Solicitação recusada
ciba-denied = O aplicativo recebeu a recusa. Você pode fechar esta página.
ciba-wrong-account = Você entrou com uma conta diferente daquela desta solicitação, por isso ela foi recusada.

## Creating an account. $client is the application's name.

signup-title = Crie sua conta
signup-heading = Crie sua conta
signup-lead-account = para gerenciar seus métodos de login
signup-lead-client = para continuar em { $client }
signup-email-label = E-mail
signup-name-label = Nome
signup-name-optional = (opcional)
signup-password-label = Senha
# $min is the shortest password allowed, a number.
signup-password-note = Pelo menos { $min ->
        [one] { $min } caractere
       *[other] { $min } caracteres
    }. Algumas palavras pouco comuns formam uma senha forte; espaços e quaisquer caracteres são aceitos.
signup-button = Criar conta
# Followed by the link signup-signin-link.
signup-signin-prompt = Já tem uma conta?
signup-signin-link = Entrar
signup-error-email = Digite um endereço de e-mail válido.
signup-closed-heading = Cadastro indisponível
signup-closed-text = Não é possível criar novas contas aqui. Peça uma conta ao administrador do aplicativo.
signup-expired-heading = Este cadastro expirou
# $valid is a lifetime such as "30 minutes".
signup-expired-text = Os códigos e links de cadastro funcionam uma única vez, por { $valid }, e só o último enviado é válido. Comece de novo pelo aplicativo.
signup-confirm-heading = Confirme seu endereço de e-mail
signup-confirm-lead = Você abriu o link que conclui a criação da sua conta.
signup-confirm-button = Confirmar e criar minha conta
signup-ready-heading = Sua conta está pronta
signup-ready-text = Seu endereço de e-mail foi confirmado. Volte ao aplicativo e entre.

## The emailed code, at sign-up and when an address must be verified to sign in. $email is
## the address the code went to.

signup-code-heading = Confira seu e-mail
verify-heading = Confirme seu endereço de e-mail
verify-lead = Enviamos um código de seis dígitos para { $email }. Digite-o aqui.
# At sign-up, where the email also holds a link.
signup-code-lead = Enviamos um código de seis dígitos para { $email }. Digite-o aqui ou abra o link que está nesse e-mail.
signup-code-label = Código
signup-code-button = Confirmar
signup-code-resend = Enviar um novo código
signup-code-resent = Enviamos um novo código. Só o mais recente funciona.
signup-code-error = Esse código está incorreto ou expirou. Confira o e-mail mais recente ou comece de novo.
verify-error = Esse código está incorreto ou expirou. Entre de novo para receber um novo código.
signup-code-too-many = Já enviamos vários códigos. Confira sua pasta de spam ou comece de novo mais tarde.
