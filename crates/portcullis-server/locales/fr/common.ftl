## Shared by every page: the language's own name (shown in the language picker), the picker,
## waits, lifetimes and dates, and the generic pages.

language-name = Français
language-picker = Langue
language-picker-go = Changer de langue
locale-unknown = Cette langue n'est pas disponible.

## Waits and lifetimes ("Try again in { $wait }"); $n is a whole number.

duration-seconds = { $n ->
    [one] { $n } seconde
   *[other] { $n } secondes
}
duration-minutes = { $n ->
    [one] { $n } minute
   *[other] { $n } minutes
}
duration-hours = { $n ->
    [one] { $n } heure
   *[other] { $n } heures
}
duration-days = { $n ->
    [one] { $n } jour
   *[other] { $n } jours
}

## Dates: $day is a number, $year is text, $month is one of the month names below.

date = { $day } { $month } { $year }
date-time = { $date } à { $time } UTC
month-1 = janvier
month-2 = février
month-3 = mars
month-4 = avril
month-5 = mai
month-6 = juin
month-7 = juillet
month-8 = août
month-9 = septembre
month-10 = octobre
month-11 = novembre
month-12 = décembre

## Signing out ($product is the product's name, e.g. "Portcullis").

logout-title = Se déconnecter
logout-heading = Se déconnecter ?
logout-lead = Votre session { $product } sera fermée sur cet appareil.
logout-button = Se déconnecter

## Generic pages.

error-heading = Une erreur s'est produite
error-csrf = Le formulaire a expiré ou provient d'un autre site. Revenez en arrière et réessayez.
signed-out-heading = Session fermée
signed-out-text = Votre session a été fermée. Vous pouvez maintenant fermer cette fenêtre.
# $wait is a duration such as "2 minutes".
error-throttled = Trop de tentatives. Patientez { $wait }, puis réessayez.

## The brand's links at the foot of every page and at sign-up.

brand-support = Aide
brand-privacy = Politique de confidentialité
brand-terms = Conditions d'utilisation
# Before the links to the terms of service and the privacy policy, at sign-up.
signup-agree = En créant un compte, vous acceptez ceci :

# A form or address carried a field twice (a broken or forged request). $name is the field's name.
error-field-repeated = Le formulaire a envoyé le champ « { $name } » plusieurs fois. Revenez en arrière et réessayez.
