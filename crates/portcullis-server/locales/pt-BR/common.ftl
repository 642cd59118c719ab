## Shared by every page: the language's own name (shown in the language picker), the picker,
## waits, lifetimes and dates, and the generic pages.

language-name = Português (Brasil)
language-picker = Idioma
language-picker-go = Mudar idioma
locale-unknown = Esse idioma não está disponível.

## Waits and lifetimes ("Try again in { $wait }"); $n is a whole number.

duration-seconds = { $n ->
    [one] { $n } segundo
   *[other] { $n } segundos
}
duration-minutes = { $n ->
    [one] { $n } minuto
   *[other] { $n } minutos
}
duration-hours = { $n ->
    [one] { $n } hora
   *[other] { $n } horas
}
duration-days = { $n ->
    [one] { $n } dia
   *[other] { $n } dias
}

## Dates: $day is a number, $year is text, $month is one of the month names below.

date = { $day } de { $month } de { $year }
date-time = { $date }, { $time } UTC
month-1 = janeiro
month-2 = fevereiro
month-3 = março
month-4 = abril
month-5 = maio
month-6 = junho
month-7 = julho
month-8 = agosto
month-9 = setembro
month-10 = outubro
month-11 = novembro
month-12 = dezembro

## Signing out ($product is the product's name, e.g. "Portcullis").

logout-title = Sair
logout-heading = Sair da conta?
logout-lead = Sua sessão em { $product } será encerrada neste dispositivo.
logout-button = Sair

## Generic pages.

error-heading = Algo deu errado
error-csrf = O formulário expirou ou veio de outro site. Volte e tente novamente.
signed-out-heading = Você saiu
signed-out-text = Você saiu da sua conta. Já pode fechar esta janela.
# $wait is a duration such as "2 minutes".
error-throttled = Muitas tentativas. Aguarde { $wait } e tente novamente.

## The brand's links at the foot of every page and at sign-up.

brand-support = Ajuda
brand-privacy = Política de privacidade
brand-terms = Termos de serviço
# Before the links to the terms of service and the privacy policy, at sign-up.
signup-agree = Ao criar uma conta, você concorda com o seguinte:

# A form or address carried a field twice (a broken or forged request). $name is the field's name.
error-field-repeated = O formulário enviou o campo “{ $name }” mais de uma vez. Volte e tente novamente.
