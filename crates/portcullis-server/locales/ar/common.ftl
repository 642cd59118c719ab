## Shared by every page: the language's own name (shown in the language picker), the picker,
## waits, lifetimes and dates, and the generic pages.

language-name = العربية
language-picker = اللغة
language-picker-go = تغيير اللغة
locale-unknown = هذه اللغة غير متاحة.

## Waits and lifetimes ("Try again in { $wait }"); $n is a whole number.

duration-seconds = { $n ->
    [zero] { $n } ثانية
    [one] ثانية واحدة
    [two] ثانيتين
    [few] { $n } ثوانٍ
    [many] { $n } ثانية
   *[other] { $n } ثانية
}
duration-minutes = { $n ->
    [zero] { $n } دقيقة
    [one] دقيقة واحدة
    [two] دقيقتين
    [few] { $n } دقائق
    [many] { $n } دقيقة
   *[other] { $n } دقيقة
}
duration-hours = { $n ->
    [zero] { $n } ساعة
    [one] ساعة واحدة
    [two] ساعتين
    [few] { $n } ساعات
    [many] { $n } ساعة
   *[other] { $n } ساعة
}
duration-days = { $n ->
    [zero] { $n } يوم
    [one] يوم واحد
    [two] يومين
    [few] { $n } أيام
    [many] { $n } يومًا
   *[other] { $n } يوم
}

## Dates: $day is a number, $year is text, $month is one of the month names below.

date = { $day } { $month } { $year }
date-time = { $date }، { $time } UTC
month-1 = يناير
month-2 = فبراير
month-3 = مارس
month-4 = أبريل
month-5 = مايو
month-6 = يونيو
month-7 = يوليو
month-8 = أغسطس
month-9 = سبتمبر
month-10 = أكتوبر
month-11 = نوفمبر
month-12 = ديسمبر

## Signing out ($product is the product's name, e.g. "Portcullis").

logout-title = تسجيل الخروج
logout-heading = هل تريد تسجيل الخروج؟
logout-lead = سيتم تسجيل خروجك من { $product } على هذا الجهاز.
logout-button = تسجيل الخروج

## Generic pages.

error-heading = حدث خطأ ما
error-csrf = انتهت صلاحية النموذج أو أُرسل من موقع آخر. ارجع إلى الصفحة السابقة وحاول مرة أخرى.
signed-out-heading = تم تسجيل الخروج
signed-out-text = تم تسجيل خروجك. يمكنك الآن إغلاق هذه النافذة.
# $wait is a duration such as "2 minutes".
error-throttled = محاولات كثيرة جدًا. انتظر { $wait } ثم حاول مرة أخرى.

## The brand's links at the foot of every page and at sign-up.

brand-support = المساعدة
brand-privacy = سياسة الخصوصية
brand-terms = شروط الخدمة
# Before the links to the terms of service and the privacy policy, at sign-up.
signup-agree = بإنشاء حساب، فإنك توافق على ما يلي:

# A form or address carried a field twice (a broken or forged request). $name is the field's name.
error-field-repeated = أرسل النموذج الحقل «{ $name }» أكثر من مرة. ارجع إلى الصفحة السابقة وحاول مرة أخرى.
