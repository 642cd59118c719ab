## account

## Requests an app sent that cannot be answered (shown as a page, since the app cannot be told).

# $name is a parameter name such as client_id.
request-repeated = المعامل { $name } مكرر.
request-no-client-id = لا يحتوي الطلب على client_id.
request-unknown-app = هذا التطبيق غير معروف.
request-no-redirect-uri = لا يحتوي الطلب على redirect_uri.
request-redirect-uri-unregistered = عنوان redirect_uri غير مسجل لهذا التطبيق.
# A pushed authorization request (request_uri) that is unknown, expired or spent.
request-uri-expired = انتهت صلاحية طلب تسجيل الدخول هذا أو سبق استخدامه. ارجع إلى التطبيق وحاول مرة أخرى.
request-object-invalid = أرسل التطبيق طلب تسجيل دخول تعذّر التحقق منه (توقيعه أو مدة صلاحيته أو الجهة الموجّه إليها). ارجع إلى التطبيق وحاول مرة أخرى.
logout-bad-hint = قيمة id_token_hint غير صالحة.
logout-hint-mismatch = لا يطابق client_id قيمة id_token_hint.
logout-redirect-needs-client = يتطلب post_logout_redirect_uri وجود client_id أو id_token_hint.
logout-redirect-unregistered = عنوان post_logout_redirect_uri غير مسجل لهذا التطبيق.
logout-bad-uri = عنوان URI غير صالح.
# $error names the failed rule and what went wrong, in English.
action-failed = تعذر إكمال تسجيل الدخول: فشلت قاعدة وضعها المسؤول ({ $error }). حاول مرة أخرى لاحقًا أو تواصل مع المسؤول.
webauthn-off = مفاتيح المرور ومفاتيح الأمان متوقفة على هذا الخادم: عنوانه عنوان IP، وهي تحتاج إلى اسم نطاق.

## The profile page.

profile-title = الملف الشخصي
# $email is the user's address.
profile-signed-in-as = تم تسجيل الدخول باسم { $email }.
profile-verify-first = لتغيير بريدك الإلكتروني أو كلمة المرور، ستؤكد هويتك أولًا.
profile-security-link = إعدادات الأمان
profile-unknown-action = إجراء غير معروف.
profile-name-heading = الاسم
profile-name-label = الاسم المعروض
profile-name-button = حفظ الاسم
profile-name-saved = تم حفظ اسمك.
profile-language-heading = اللغة
profile-language-lead = لغة هذه الصفحات ولغة الرسائل التي نرسلها إليك.
profile-language-label = اللغة
profile-language-button = حفظ اللغة
profile-language-saved = تم حفظ لغتك.
profile-email-heading = البريد الإلكتروني
profile-email-lead = نرسل رابطًا إلى العنوان الجديد؛ يتم التغيير عندما تفتحه، ونُعلم عنوانك الحالي بذلك.
profile-email-label = عنوان البريد الإلكتروني الجديد
profile-email-button = إرسال الرابط
profile-email-button-verify = تأكيد هويتك ثم إرسال الرابط
profile-email-invalid = أدخل عنوان بريد إلكتروني صالحًا.
profile-email-same = هذا هو عنوان بريدك الإلكتروني بالفعل.
# $new and $current are addresses, $valid a period such as "30 minutes".
profile-email-sent = أرسلنا رابطًا إلى { $new }. افتحه خلال { $valid } لإتمام التغيير؛ وحتى ذلك الحين يبقى عنوانك { $current }.
profile-confirm-heading = تأكيد عنوان بريدك الإلكتروني الجديد
profile-confirm-lead = فتحت رابطًا لاستخدام هذا العنوان لحسابك. اضغط الزر لإتمام التغيير.
profile-confirm-button = استخدام هذا العنوان
profile-link-expired-heading = انتهت صلاحية هذا الرابط
profile-link-expired-text = روابط تغيير البريد الإلكتروني تعمل مرة واحدة لمدة { $valid }، ولا يعمل إلا آخر رابط أُرسل. اطلب رابطًا جديدًا من ملفك الشخصي.
profile-cannot-use-heading = لا يمكن استخدام هذا العنوان
profile-cannot-use-text = لم يتغير عنوان بريدك الإلكتروني. اختر عنوانًا آخر من ملفك الشخصي.
profile-email-changed-heading = تم تغيير عنوان بريدك الإلكتروني
# $address is the new address.
profile-email-changed-text = يستخدم حسابك الآن { $address }. سجّل الدخول به من الآن فصاعدًا.
profile-password-heading = كلمة المرور
profile-current-label = كلمة المرور الحالية
profile-new-label = كلمة المرور الجديدة
# $min is the least number of characters.
profile-password-hint = { $min ->
    [zero] لا يوجد حد أدنى لعدد الأحرف؛ بضع كلمات غير شائعة تصنع كلمة مرور قوية. سيتم تسجيل خروج جلساتك الأخرى.
    [one] حرف واحد على الأقل؛ بضع كلمات غير شائعة تصنع كلمة مرور قوية. سيتم تسجيل خروج جلساتك الأخرى.
    [two] حرفان على الأقل؛ بضع كلمات غير شائعة تصنع كلمة مرور قوية. سيتم تسجيل خروج جلساتك الأخرى.
    [few] { $min } أحرف على الأقل؛ بضع كلمات غير شائعة تصنع كلمة مرور قوية. سيتم تسجيل خروج جلساتك الأخرى.
    [many] { $min } حرفًا على الأقل؛ بضع كلمات غير شائعة تصنع كلمة مرور قوية. سيتم تسجيل خروج جلساتك الأخرى.
   *[other] { $min } حرف على الأقل؛ بضع كلمات غير شائعة تصنع كلمة مرور قوية. سيتم تسجيل خروج جلساتك الأخرى.
}
profile-password-button = تغيير كلمة المرور
profile-password-button-verify = تأكيد هويتك ثم تعيين كلمة المرور
profile-current-wrong = كلمة المرور الحالية غير صحيحة.
profile-password-changed = تم تغيير كلمة المرور. تم تسجيل خروج جلساتك الأخرى.
profile-delete-heading = حذف الحساب
# $days is the grace period in days.
profile-delete-lead = { $days ->
    [zero] يُحذف حسابك بكل ما فيه فور طلبك، ويتم تسجيل خروجك من كل مكان. تسجيل الدخول مرة أخرى قبل ذلك يُبقي الحساب.
    [one] يُحذف حسابك بكل ما فيه بعد يوم واحد من طلبك، ويتم تسجيل خروجك من كل مكان. تسجيل الدخول مرة أخرى قبل ذلك يُبقي الحساب.
    [two] يُحذف حسابك بكل ما فيه بعد يومين من طلبك، ويتم تسجيل خروجك من كل مكان. تسجيل الدخول مرة أخرى قبل ذلك يُبقي الحساب.
    [few] يُحذف حسابك بكل ما فيه بعد { $days } أيام من طلبك، ويتم تسجيل خروجك من كل مكان. تسجيل الدخول مرة أخرى قبل ذلك يُبقي الحساب.
    [many] يُحذف حسابك بكل ما فيه بعد { $days } يومًا من طلبك، ويتم تسجيل خروجك من كل مكان. تسجيل الدخول مرة أخرى قبل ذلك يُبقي الحساب.
   *[other] يُحذف حسابك بكل ما فيه بعد { $days } يوم من طلبك، ويتم تسجيل خروجك من كل مكان. تسجيل الدخول مرة أخرى قبل ذلك يُبقي الحساب.
}
profile-delete-button = حذف حسابي
profile-delete-button-verify = تأكيد هويتك ثم حذف حسابي
profile-deleted-heading = سيتم حذف حسابك
# $wait is the grace period in days, e.g. "7 days".
profile-deleted-text = تم تسجيل خروجك من كل مكان. سيُحذف حسابك بعد { $wait }؛ تسجيل الدخول قبل ذلك يُبقي الحساب. أرسلنا التفاصيل إلى بريدك الإلكتروني.
# $name is the parameter's name, e.g. state; the backquotes are part of the text.
logout-param-repeated = المعامل `{ $name }` مكرر

## Scopes on the consent page: what the application may do ("It asks to: …").

scope-openid = معرفة هويتك (معرّف حسابك)
scope-profile = رؤية اسمك
scope-email = رؤية عنوان بريدك الإلكتروني
scope-offline-access = الاحتفاظ بالوصول عندما لا تستخدمه
# An API's own permission: $api is the API's name, $scope the permission's code (e.g. read:payouts).
scope-api = { $api }: { $scope }

## Remembered devices, named after the browser (e.g. "Chrome on Linux").

# $browser is a browser's name (Chrome, Firefox) or device-browser-unknown; $os a system's name
# (Windows, iOS) or device-system-unknown.
device-label = { $browser } على { $os }
device-browser-unknown = متصفح
device-system-unknown = نظام غير معروف
