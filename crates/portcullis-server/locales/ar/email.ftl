## email

## Security notices. $link is a web address on a line of its own or at the end of a sentence;
## keep it last in its sentence so a mail client can make it a link.

email-password-changed-subject = تم تغيير كلمة المرور
email-password-changed-everywhere = تم تغيير كلمة مرور حسابك، وتم تسجيل خروجك من جميع الأجهزة.

    إذا لم تكن أنت من قام بذلك، فأمِّن حسابك الآن: { $link }
email-password-changed-others = تم تغيير كلمة مرور حسابك، وتم تسجيل الخروج من جلساتك الأخرى.

    إذا لم تكن أنت من قام بذلك، فأمِّن حسابك الآن: { $link }
email-factor-added-subject = تمت إضافة طريقة لتسجيل الدخول إلى حسابك
email-factor-added-api = تمت إضافة طريقة لتسجيل الدخول إلى حسابك.

    إذا لم تكن أنت من قام بذلك، فراجع إعدادات الأمان الآن: { $link }
# $kind is a kind of sign-in method ("Authenticator app"), $name the name the user gave it.
email-factor-added = تمت إضافة طريقة لتسجيل الدخول إلى حسابك: { $kind } «{ $name }».

    إذا لم تكن أنت من قام بذلك، فراجع إعدادات الأمان الآن: { $link }
email-factor-removed-subject = تمت إزالة طريقة لتسجيل الدخول من حسابك
email-factor-removed = تمت إزالة طريقة لتسجيل الدخول من حسابك: { $kind } «{ $name }». وتم تسجيل الخروج من جلساتك الأخرى.

    إذا لم تكن أنت من قام بذلك، فأمِّن حسابك الآن: { $link }
# $left is the number of recovery codes the user still has.
email-recovery-used-subject = تم استخدام رمز استرداد
email-recovery-used = تم للتو استخدام رمز استرداد لتسجيل الدخول إلى حسابك. عدد رموز الاسترداد المتبقية: { $left }.

    إذا لم تكن أنت من قام بذلك، فغيّر كلمة المرور وراجع إعدادات الأمان: { $link }
email-new-device-subject = تسجيل دخول جديد إلى حسابك
# $device names the browser and system ("Chrome on macOS"), $ip an address, $when a date and time.
email-new-device = تم تسجيل الدخول إلى حسابك من جهاز جديد.

    الجهاز: { $device }
    عنوان IP: { $ip }
    الوقت: { $when }

    إذا كنت أنت من قام بذلك، فلا داعي لاتخاذ أي إجراء. وإن لم تكن أنت، فغيّر كلمة المرور وراجع طرق تسجيل الدخول الآن: { $link }
email-new-device-ip-unknown = غير معروف
email-deletion-scheduled-subject = سيتم حذف حسابك
# $when is a date and time.
email-deletion-scheduled = لقد طلبت حذف حسابك. سيُحذف الحساب بكل محتوياته بعد { $when }، وقد تم تسجيل خروجك من جميع الأجهزة.

    للاحتفاظ بحسابك، سجّل الدخول مرة أخرى قبل ذلك الموعد: { $link }

    إذا لم تكن أنت من طلب ذلك، فسجّل الدخول الآن وغيّر كلمة المرور.
email-deletion-cancelled-subject = لن يتم حذف حسابك
email-deletion-cancelled = بما أنك سجّلت الدخول، فقد أُلغي حذف حسابك الذي طلبته. سيبقى حسابك كما هو.

    إذا كنت لا تزال تريد حذفه، فقدّم الطلب مرة أخرى من ملفك الشخصي: { $link }

## Changing the email address. $valid is a period such as "30 minutes".

email-address-taken-subject = حاول شخص ما استخدام عنوان بريدك الإلكتروني
email-address-taken = طلب شخص مسجّل الدخول إلى حساب آخر استخدام عنوان البريد الإلكتروني هذا في ذلك الحساب. حسابك يستخدم هذا العنوان بالفعل، لذا لم يتغير أي شيء ولم يُرسَل أي شيء آخر.

    إذا لم تكن تتوقع ذلك، فيمكنك تجاهل هذه الرسالة. راجع حسابك: { $link }
email-change-confirm-subject = أكّد عنوان بريدك الإلكتروني الجديد
email-change-confirm = لاستخدام هذا العنوان في حسابك، افتح هذا الرابط خلال { $valid } (يعمل مرة واحدة فقط):
    { $link }

    إذا لم تطلب ذلك، فتجاهل هذه الرسالة: لن يتغير شيء.
# $address is the new address, partly hidden ("a***@example.com").
email-address-changed-subject = تم تغيير عنوان بريدك الإلكتروني
email-address-changed = تم تغيير عنوان البريد الإلكتروني لحسابك إلى { $address }. ستُرسَل الرسائل المتعلقة بحسابك إلى هذا العنوان من الآن فصاعدًا.

    إذا لم تكن أنت من قام بذلك، فأمِّن حسابك الآن: { $link }

## Links and codes. $valid is a period such as "10 minutes"; $code is a one-time code.

email-magic-link-subject = رابط تسجيل الدخول الخاص بك
email-magic-link = استخدم هذا الرابط لتسجيل الدخول إلى { $product }. يعمل الرابط مرة واحدة فقط وتنتهي صلاحيته خلال { $valid }:

    { $link }

    إذا لم تطلبه، فتجاهل هذه الرسالة: لا يمكن لأحد تسجيل الدخول بدون هذا الرابط.
# $client is an application's name, $binding its own short message, $valid a duration.
email-ciba-subject = يطلب { $client } موافقتك
email-ciba = يطلب منك { $client } الموافقة على طلب. إن كنت تتوقعه، فافتح هذا الرابط خلال { $valid } وأكّد بمفتاح المرور أو بعامل ثانٍ:

    { $link }
email-ciba-binding = يطلب منك { $client } الموافقة على: «{ $binding }». إن كنت تتوقع ذلك، فافتح هذا الرابط خلال { $valid } وأكّد بمفتاح المرور أو بعامل ثانٍ:

    { $link }
email-verify-subject = تحقّق من عنوان بريدك الإلكتروني
email-signup-code = رمز إكمال إنشاء حسابك هو { $code }

    أو افتح هذا الرابط (يعمل مرة واحدة فقط، وهو صالح لمدة { $valid }):
    { $link }

    إذا لم تطلب إنشاء حساب، فتجاهل هذه الرسالة: لن يُنشأ أي حساب بدون هذا التأكيد.
email-verify-code = رمز التحقق من عنوان البريد الإلكتروني هذا هو { $code }

    يعمل الرمز مرة واحدة فقط، وهو صالح لمدة { $valid }. إذا لم تكن تحاول تسجيل الدخول، فتجاهل هذه الرسالة.
# $account and $reset are web addresses.
email-signup-taken-subject = لديك حساب بالفعل
email-signup-taken = حاول شخص ما، ربما أنت، إنشاء حساب باستخدام عنوان البريد الإلكتروني هذا. لديك حساب بالفعل، لذا لم يُنشأ أي حساب جديد.

    سجّل الدخول إلى حسابك: { $account }

    هل نسيت كلمة المرور؟ اختر كلمة مرور جديدة: { $reset }

    إذا لم تكن أنت من قام بذلك، فيمكنك تجاهل هذه الرسالة.
email-reset-subject = إعادة تعيين كلمة المرور
email-reset = طلب شخص ما إعادة تعيين كلمة مرور حسابك. لاختيار كلمة مرور جديدة، افتح هذا الرابط خلال { $valid } (يعمل مرة واحدة فقط):
    { $link }

    إذا لم تكن أنت من طلب ذلك، فتجاهل هذه الرسالة: ستبقى كلمة المرور كما هي.

## Links an administrator sends.

email-enrol-ticket-subject = إعداد التحقق بخطوتين
email-enrol-ticket = طلب منك المسؤول إضافة خطوة ثانية لتسجيل الدخول إلى حسابك.

    افتح هذا الرابط لإعدادها (يعمل مرة واحدة فقط):
    { $link }

    إذا لم تكن تتوقع ذلك، فتجاهل هذه الرسالة.
email-password-ticket-subject = اختر كلمة المرور
email-password-ticket = اختر كلمة مرور لحسابك باستخدام هذا الرابط (يعمل مرة واحدة فقط):
    { $link }

    إذا لم تكن تتوقع ذلك، فتجاهل هذه الرسالة.

## One-time codes by email or text message: keep the text short (an SMS in Arabic or Japanese
## holds 70 characters per part). $code is the code, $valid a period such as "10 minutes".

code-message-subject = رمز التحقق
code-message = رمز { $product }: { $code }. صالح لمدة { $valid }. إن لم تطلبه فتجاهله.
