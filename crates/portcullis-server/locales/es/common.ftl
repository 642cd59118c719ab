## Shared by every page: the language's own name (shown in the language picker), the picker,
## waits, lifetimes and dates, and the generic pages.

language-name = Español
language-picker = Idioma
language-picker-go = Cambiar idioma
locale-unknown = Ese idioma no está disponible.

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
    [one] { $n } día
   *[other] { $n } días
}

## Dates: $day is a number, $year is text, $month is one of the month names below.

date = { $day } de { $month } de { $year }
date-time = { $date }, { $time } UTC
month-1 = enero
month-2 = febrero
month-3 = marzo
month-4 = abril
month-5 = mayo
month-6 = junio
month-7 = julio
month-8 = agosto
month-9 = septiembre
month-10 = octubre
month-11 = noviembre
month-12 = diciembre

## Signing out ($product is the product's name, e.g. "Portcullis").

logout-title = Cerrar sesión
logout-heading = ¿Quieres cerrar sesión?
logout-lead = Se cerrará tu sesión de { $product } en este dispositivo.
logout-button = Cerrar sesión

## Generic pages.

error-heading = Se ha producido un error
error-csrf = El formulario ha caducado o procede de otro sitio. Vuelve atrás e inténtalo de nuevo.
signed-out-heading = Sesión cerrada
signed-out-text = Has cerrado sesión. Ya puedes cerrar esta ventana.
# $wait is a duration such as "2 minutes".
error-throttled = Demasiados intentos. Espera { $wait } y vuelve a intentarlo.

## The brand's links at the foot of every page and at sign-up.

brand-support = Ayuda
brand-privacy = Política de privacidad
brand-terms = Condiciones del servicio
# Before the links to the terms of service and the privacy policy, at sign-up.
signup-agree = Al crear una cuenta, aceptas lo siguiente:

# A form or address carried a field twice (a broken or forged request). $name is the field's name.
error-field-repeated = El formulario envió el campo «{ $name }» más de una vez. Vuelve atrás e inténtalo de nuevo.
