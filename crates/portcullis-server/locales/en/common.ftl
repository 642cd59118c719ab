## Shared by every page: the language's own name (shown in the language picker), the picker,
## waits, lifetimes and dates, and the generic pages.

language-name = English
language-picker = Language
language-picker-go = Change language
locale-unknown = That language is not available.

## Waits and lifetimes ("Try again in { $wait }"); $n is a whole number.

duration-seconds = { $n ->
    [one] { $n } second
   *[other] { $n } seconds
}
duration-minutes = { $n ->
    [one] { $n } minute
   *[other] { $n } minutes
}
duration-hours = { $n ->
    [one] { $n } hour
   *[other] { $n } hours
}
duration-days = { $n ->
    [one] { $n } day
   *[other] { $n } days
}

## Dates: $day is a number, $year is text, $month is one of the month names below.

date = { $day } { $month } { $year }
date-time = { $date }, { $time } UTC
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December

## Signing out ($product is the product's name, e.g. "Portcullis").

logout-title = Sign out
logout-heading = Sign out?
logout-lead = You will be signed out of { $product } on this device.
logout-button = Sign out

## Generic pages.

error-heading = Something went wrong
error-csrf = The form expired or came from another site. Go back and try again.
signed-out-heading = Signed out
signed-out-text = You have been signed out. You can close this window.
# $wait is a duration such as "2 minutes".
error-throttled = Too many attempts. Wait { $wait } and try again.

## The brand's links at the foot of every page and at sign-up.

brand-support = Help
brand-privacy = Privacy policy
brand-terms = Terms of service
# Before the links to the terms of service and the privacy policy, at sign-up.
signup-agree = By creating an account you agree to these:

# A form or address carried a field twice (a broken or forged request). $name is the field's name.
error-field-repeated = The form sent the field “{ $name }” more than once. Go back and try again.
