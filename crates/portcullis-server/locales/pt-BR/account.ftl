## account

## Requests an app sent that cannot be answered (shown as a page, since the app cannot be told).

# $name is a parameter name such as client_id.
request-repeated = O parâmetro { $name } está repetido.
request-no-client-id = A solicitação não tem client_id.
request-unknown-app = O aplicativo não é reconhecido.
request-no-redirect-uri = A solicitação não tem redirect_uri.
request-redirect-uri-unregistered = A redirect_uri não está registrada para este aplicativo.
# A pushed authorization request (request_uri) that is unknown, expired or spent.
request-uri-expired = Esta solicitação de login expirou ou já foi usada. Volte ao aplicativo e tente novamente.
request-object-invalid = O aplicativo enviou uma solicitação de login que não pôde ser verificada (assinatura, validade ou destinatário). Volte ao aplicativo e tente novamente.
logout-bad-hint = O id_token_hint não é válido.
logout-hint-mismatch = O client_id não corresponde ao id_token_hint.
logout-redirect-needs-client = post_logout_redirect_uri precisa de client_id ou id_token_hint.
logout-redirect-unregistered = A post_logout_redirect_uri não está registrada para este aplicativo.
logout-bad-uri = URI inválida.
# $error names the failed rule and what went wrong, in English.
action-failed = Não foi possível concluir a entrada na conta: uma regra definida pelo administrador falhou ({ $error }). Tente de novo mais tarde ou fale com o administrador.
webauthn-off = As chaves de acesso e as chaves de segurança estão desativadas neste servidor: o endereço dele é um endereço IP, e elas precisam de um nome de domínio.

## The profile page.

profile-title = Perfil
# $email is the user's address.
profile-signed-in-as = Você entrou como { $email }.
profile-verify-first = Para mudar seu endereço de e-mail ou sua senha, primeiro você precisa confirmar que é você.
profile-security-link = Configurações de segurança
profile-unknown-action = Ação desconhecida.
profile-name-heading = Nome
profile-name-label = Nome de exibição
profile-name-button = Salvar nome
profile-name-saved = Seu nome foi salvo.
profile-language-heading = Idioma
profile-language-lead = O idioma destas páginas e dos e-mails que enviamos para você.
profile-language-label = Idioma
profile-language-button = Salvar idioma
profile-language-saved = Seu idioma foi salvo.
profile-email-heading = Endereço de e-mail
profile-email-lead = Enviamos um link para o novo endereço; a mudança acontece quando você abrir o link, e avisamos o seu endereço atual.
profile-email-label = Novo endereço de e-mail
profile-email-button = Enviar link
profile-email-button-verify = Confirmar que é você e enviar link
profile-email-invalid = Digite um endereço de e-mail válido.
profile-email-same = Esse já é o seu endereço de e-mail.
# $new and $current are addresses, $valid a period such as "30 minutes".
profile-email-sent = Enviamos um link para { $new }. Abra-o em até { $valid } para concluir a mudança; até lá, seu endereço continua sendo { $current }.
profile-confirm-heading = Confirme seu novo endereço de e-mail
profile-confirm-lead = Você abriu um link para usar este endereço na sua conta. Clique no botão para concluir a mudança.
profile-confirm-button = Usar este endereço
profile-link-expired-heading = Este link expirou
profile-link-expired-text = Os links para mudar o e-mail funcionam uma única vez, por { $valid }, e só o último enviado é válido. Peça um novo no seu perfil.
profile-cannot-use-heading = Este endereço não pode ser usado
profile-cannot-use-text = Seu endereço de e-mail não foi alterado. Escolha outro endereço no seu perfil.
profile-email-changed-heading = Seu endereço de e-mail foi alterado
# $address is the new address.
profile-email-changed-text = Sua conta agora usa { $address }. A partir de agora, entre com ele.
profile-password-heading = Senha
profile-current-label = Senha atual
profile-new-label = Nova senha
# $min is the least number of characters.
profile-password-hint = { $min ->
    [one] Pelo menos { $min } caractere; algumas palavras incomuns formam uma senha forte. Suas outras sessões serão encerradas.
   *[other] Pelo menos { $min } caracteres; algumas palavras incomuns formam uma senha forte. Suas outras sessões serão encerradas.
}
profile-password-button = Mudar senha
profile-password-button-verify = Confirmar que é você e definir a senha
profile-current-wrong = Sua senha atual está incorreta.
profile-password-changed = Sua senha foi alterada. Suas outras sessões foram encerradas.
profile-delete-heading = Excluir conta
# $days is the grace period in days.
profile-delete-lead = { $days ->
    [one] Sua conta é excluída com tudo o que há nela { $days } dia depois do pedido, e você sai da conta em todos os dispositivos. Se você entrar de novo antes disso, a conta é mantida.
   *[other] Sua conta é excluída com tudo o que há nela { $days } dias depois do pedido, e você sai da conta em todos os dispositivos. Se você entrar de novo antes disso, a conta é mantida.
}
profile-delete-button = Excluir minha conta
profile-delete-button-verify = Confirmar que é você e excluir minha conta
profile-deleted-heading = Sua conta será excluída
# $wait is the grace period in days, e.g. "7 days".
profile-deleted-text = Você saiu da conta em todos os dispositivos. Sua conta será excluída em { $wait }; se você entrar antes disso, a conta é mantida. Enviamos os detalhes para o seu endereço de e-mail.
# $name is the parameter's name, e.g. state; the backquotes are part of the text.
logout-param-repeated = o parâmetro `{ $name }` está repetido

## Scopes on the consent page: what the application may do ("It asks to: …").

scope-openid = Saber quem você é (o ID da sua conta)
scope-profile = Ver seu nome
scope-email = Ver seu endereço de e-mail
scope-offline-access = Manter o acesso mesmo quando você não estiver usando o aplicativo
# An API's own permission: $api is the API's name, $scope the permission's code (e.g. read:payouts).
scope-api = { $api }: { $scope }

## Remembered devices, named after the browser (e.g. "Chrome on Linux").

# $browser is a browser's name (Chrome, Firefox) or device-browser-unknown; $os a system's name
# (Windows, iOS) or device-system-unknown.
device-label = { $browser } no { $os }
device-browser-unknown = Navegador
device-system-unknown = sistema desconhecido
