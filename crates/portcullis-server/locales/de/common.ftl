## Shared by every page: the language's own name (shown in the language picker), the picker,
## waits, lifetimes and dates, and the generic pages.

language-name = Deutsch
language-picker = Sprache
language-picker-go = Sprache ändern
locale-unknown = Diese Sprache ist nicht verfügbar.

## Waits and lifetimes ("Try again in { $wait }"); $n is a whole number.

duration-seconds = { $n ->
    [one] { $n } Sekunde
   *[other] { $n } Sekunden
}
duration-minutes = { $n ->
    [one] { $n } Minute
   *[other] { $n } Minuten
}
duration-hours = { $n ->
    [one] { $n } Stunde
   *[other] { $n } Stunden
}
duration-days = { $n ->
    [one] { $n } Tag
   *[other] { $n } Tage
}

## Dates: $day is a number, $year is text, $month is one of the month names below.

date = { $day }. { $month } { $year }
date-time = { $date }, { $time } UTC
month-1 = Januar
month-2 = Februar
month-3 = März
month-4 = April
month-5 = Mai
month-6 = Juni
month-7 = Juli
month-8 = August
month-9 = September
month-10 = Oktober
month-11 = November
month-12 = Dezember

## Signing out ($product is the product's name, e.g. "Portcullis").

logout-title = Abmelden
logout-heading = Abmelden?
logout-lead = Sie werden auf diesem Gerät von { $product } abgemeldet.
logout-button = Abmelden

## Generic pages.

error-heading = Etwas ist schiefgelaufen
error-csrf = Das Formular ist abgelaufen oder stammt von einer anderen Website. Gehen Sie zurück und versuchen Sie es erneut.
signed-out-heading = Abgemeldet
signed-out-text = Sie wurden abgemeldet. Sie können dieses Fenster jetzt schließen.
# $wait is a duration such as "2 minutes".
error-throttled = Zu viele Versuche. Warten Sie { $wait } und versuchen Sie es dann erneut.

## The brand's links at the foot of every page and at sign-up.

brand-support = Hilfe
brand-privacy = Datenschutzerklärung
brand-terms = Nutzungsbedingungen
# Before the links to the terms of service and the privacy policy, at sign-up.
signup-agree = Mit dem Erstellen eines Kontos stimmen Sie diesen zu:

# A form or address carried a field twice (a broken or forged request). $name is the field's name.
error-field-repeated = Das Formular hat das Feld „{ $name }“ mehrfach gesendet. Gehen Sie zurück und versuchen Sie es erneut.
