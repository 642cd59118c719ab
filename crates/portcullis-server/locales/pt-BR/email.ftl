## email

## Security notices. $link is a web address on a line of its own or at the end of a sentence;
## keep it last in its sentence so a mail client can make it a link.

email-password-changed-subject = Sua senha foi alterada
email-password-changed-everywhere = A senha da sua conta foi alterada e todas as suas sessões foram encerradas.

    Se não foi você, proteja sua conta agora: { $link }
email-password-changed-others = A senha da sua conta foi alterada e suas outras sessões foram encerradas.

    Se não foi você, proteja sua conta agora: { $link }
email-factor-added-subject = Um método de login foi adicionado à sua conta
email-factor-added-api = Um método de login foi adicionado à sua conta.

    Se não foi você, revise suas configurações de segurança agora: { $link }
# $kind is a kind of sign-in method ("Authenticator app"), $name the name the user gave it.
email-factor-added = Um método de login foi adicionado à sua conta: { $kind } "{ $name }".

    Se não foi você, revise suas configurações de segurança agora: { $link }
email-factor-removed-subject = Um método de login foi removido da sua conta
email-factor-removed = Um método de login foi removido da sua conta: { $kind } "{ $name }". Suas outras sessões também foram encerradas.

    Se não foi você, proteja sua conta agora: { $link }
# $left is the number of recovery codes the user still has.
email-recovery-used-subject = Um código de recuperação foi usado
email-recovery-used = Um código de recuperação acabou de ser usado para entrar na sua conta. Códigos de recuperação restantes: { $left }.

    Se não foi você, altere sua senha e revise suas configurações de segurança: { $link }
email-new-device-subject = Novo login na sua conta
# $device names the browser and system ("Chrome on macOS"), $ip an address, $when a date and time.
email-new-device = Houve um login na sua conta a partir de um novo dispositivo.

    Dispositivo: { $device }
    Endereço IP: { $ip }
    Data e hora: { $when }

    Se foi você, não é preciso fazer nada. Caso contrário, altere sua senha e revise seus métodos de login agora: { $link }
email-new-device-ip-unknown = desconhecido
email-deletion-scheduled-subject = Sua conta será excluída
# $when is a date and time.
email-deletion-scheduled = Você pediu para excluir sua conta. Ela será excluída com todo o conteúdo após { $when }, e todas as suas sessões foram encerradas.

    Para manter sua conta, entre novamente antes dessa data: { $link }

    Se não foi você, entre agora e altere sua senha.
email-deletion-cancelled-subject = Sua conta não será excluída
email-deletion-cancelled = Como você entrou na sua conta, a exclusão que você pediu foi cancelada. Sua conta continua como está.

    Se ainda quiser excluí-la, faça um novo pedido no seu perfil: { $link }

## Changing the email address. $valid is a period such as "30 minutes".

email-address-taken-subject = Alguém tentou usar seu endereço de e-mail
email-address-taken = Alguém conectado a outra conta pediu para usar este endereço de e-mail nessa conta. Sua conta já usa esse endereço, então nada foi alterado e nada mais foi enviado.

    Se você não esperava por isso, pode ignorar este e-mail. Revise sua conta: { $link }
email-change-confirm-subject = Confirme seu novo endereço de e-mail
email-change-confirm = Para usar este endereço na sua conta, abra este link em até { $valid } (ele só funciona uma vez):
    { $link }

    Se você não pediu isso, ignore este e-mail: nada será alterado.
# $address is the new address, partly hidden ("a***@example.com").
email-address-changed-subject = Seu endereço de e-mail foi alterado
email-address-changed = O endereço de e-mail da sua conta foi alterado para { $address }. As mensagens sobre sua conta agora serão enviadas para esse endereço.

    Se não foi você, proteja sua conta agora: { $link }

## Links and codes. $valid is a period such as "10 minutes"; $code is a one-time code.

email-magic-link-subject = Seu link para entrar
email-magic-link = Use este link para entrar em { $product }. Ele só funciona uma vez e expira em { $valid }:

    { $link }

    Se você não pediu este link, ignore esta mensagem: ninguém consegue entrar sem ele.
# $client is an application's name, $binding its own short message, $valid a duration.
email-ciba-subject = { $client } pede a sua aprovação
email-ciba = { $client } pede que você aprove uma solicitação. Se você a espera, abra este link em até { $valid } e confirme com sua chave de acesso ou um segundo fator:

    { $link }
email-ciba-binding = { $client } pede que você aprove: “{ $binding }”. Se você espera isso, abra este link em até { $valid } e confirme com sua chave de acesso ou um segundo fator:

    { $link }
email-verify-subject = Verifique seu endereço de e-mail
email-signup-code = Seu código para concluir a criação da conta é { $code }

    Ou abra este link (ele só funciona uma vez e é válido por { $valid }):
    { $link }

    Se você não pediu uma conta, ignore este e-mail: nada será criado sem essa confirmação.
email-verify-code = Seu código para verificar este endereço de e-mail é { $code }

    Ele só funciona uma vez e é válido por { $valid }. Se você não está tentando entrar, ignore este e-mail.
# $account and $reset are web addresses.
email-signup-taken-subject = Você já tem uma conta
email-signup-taken = Alguém, talvez você, tentou criar uma conta com este endereço de e-mail. Você já tem uma, então nada foi criado.

    Entre na sua conta: { $account }

    Esqueceu sua senha? Escolha uma nova: { $reset }

    Se não foi você, pode ignorar este e-mail.
email-reset-subject = Redefina sua senha
email-reset = Alguém pediu para redefinir a senha da sua conta. Para escolher uma nova, abra este link em até { $valid } (ele só funciona uma vez):
    { $link }

    Se não foi você, ignore este e-mail: sua senha continua a mesma.

## Links an administrator sends.

email-enrol-ticket-subject = Configure a verificação em duas etapas
email-enrol-ticket = Seu administrador pediu que você adicione uma segunda etapa de login à sua conta.

    Abra este link para configurá-la (ele só funciona uma vez):
    { $link }

    Se você não esperava por isso, ignore este e-mail.
email-password-ticket-subject = Escolha sua senha
email-password-ticket = Escolha uma senha para sua conta com este link (ele só funciona uma vez):
    { $link }

    Se você não esperava por isso, ignore este e-mail.

## One-time codes by email or text message: keep the text short (an SMS in Arabic or Japanese
## holds 70 characters per part). $code is the code, $valid a period such as "10 minutes".

code-message-subject = Seu código de verificação
code-message = { $product }: seu código de verificação é { $code }. Ele expira em { $valid }. Se você não pediu este código, ignore esta mensagem.
