## signin


## The sign-in page. $client is the name of the application being signed in to.

login-title = تسجيل الدخول
login-heading = تسجيل الدخول
login-lead-account = لإدارة حسابك
login-lead-client = للمتابعة إلى { $client }
login-email-label = البريد الإلكتروني
login-password-label = كلمة المرور
login-continue = متابعة
login-magic-link = أرسل لي رابط تسجيل الدخول بالبريد الإلكتروني بدلاً من ذلك
# $provider is the name of another sign-in service, e.g. "Google".
login-continue-with = المتابعة باستخدام { $provider }
login-forgot-password = هل نسيت كلمة المرور؟
# Followed by the link login-signup-link.
login-signup-prompt = ليس لديك حساب؟
login-signup-link = إنشاء حساب
login-passkey = تسجيل الدخول باستخدام مفتاح المرور
login-error-wrong = البريد الإلكتروني أو كلمة المرور غير صحيحة.
login-error-passkey = تعذّر تسجيل دخولك باستخدام مفتاح المرور هذا. حاول مرة أخرى أو استخدم كلمة المرور.
login-expired = انتهت صلاحية طلب تسجيل الدخول هذا أو أنه غير معروف. ارجع إلى التطبيق وابدأ من جديد.
signin-expired = انتهت صلاحية عملية تسجيل الدخول هذه. ارجع إلى التطبيق وابدأ من جديد.
signin-refused = لا يمكن لهذا الحساب تسجيل الدخول هنا. تواصل مع المسؤول.
# $reason is the reason the administrator's rules give, as they wrote it.
signin-access-denied = تم رفض الوصول: { $reason }

## Email sign-in links. $valid is a lifetime such as "10 minutes".

magic-missing-email-heading = أدخل عنوان بريدك الإلكتروني
magic-missing-email-text = ارجع وأدخل عنوان البريد الإلكتروني لحسابك للحصول على رابط تسجيل الدخول.
magic-sent-heading = تحقق من بريدك الإلكتروني
# $email is the address typed on the sign-in page.
magic-sent-text = إذا كان لدى { $email } حساب، فقد أرسلنا إليه رابط تسجيل الدخول. يعمل الرابط مرة واحدة فقط، لمدة { $valid }. يمكنك إغلاق هذه الصفحة.
magic-link-heading = متابعة تسجيل الدخول
magic-link-lead = لقد فتحت رابط تسجيل الدخول. تابع على هذا الجهاز لتسجيل الدخول.
magic-link-button = تسجيل الدخول
magic-expired-heading = انتهت صلاحية هذا الرابط
magic-expired-text = تعمل روابط تسجيل الدخول مرة واحدة فقط، لمدة { $valid }، ولا يعمل إلا أحدث رابط مُرسَل. ارجع إلى صفحة تسجيل الدخول للحصول على رابط جديد.

## Password reset. $valid is a lifetime such as "30 minutes".

reset-title = إعادة تعيين كلمة المرور
reset-heading = إعادة تعيين كلمة المرور
reset-lead = أدخل عنوان البريد الإلكتروني لحسابك. سنرسل إليك رابطًا لاختيار كلمة مرور جديدة.
reset-email-label = البريد الإلكتروني
reset-send = إرسال الرابط
reset-sent-heading = تحقق من بريدك الإلكتروني
reset-sent-text = إذا كان هناك حساب يستخدم هذا العنوان، فقد أرسلنا إليه رابطًا لاختيار كلمة مرور جديدة. يعمل الرابط مرة واحدة فقط، لمدة { $valid }.
reset-link-heading = اختر كلمة مرور جديدة
reset-link-lead = لقد فتحت رابط إعادة تعيين كلمة المرور. تابع على هذا الجهاز؛ وإذا كان لحسابك خطوة ثانية لتسجيل الدخول، فسيُطلب منك إكمالها أولاً.
reset-link-button = متابعة
reset-expired-heading = انتهت صلاحية هذا الرابط
reset-expired-text = تعمل روابط إعادة تعيين كلمة المرور مرة واحدة فقط، لمدة { $valid }، ولا يعمل إلا أحدث رابط مُرسَل. اطلب رابطًا جديدًا من صفحة تسجيل الدخول.
reset-new-title = اختر كلمة مرور جديدة
reset-new-heading = اختر كلمة مرور جديدة
# $email is the account's address; $min is the shortest password allowed, a number.
reset-new-lead = للحساب { $email }. استخدم ما لا يقل عن { $min ->
    [one] حرف واحد
    [two] حرفين
    [few] { $min } أحرف
    [many] { $min } حرفًا
   *[other] { $min } حرف
}؛ فبضع كلمات غير شائعة تصنع كلمة مرور قوية. المسافات وجميع الأحرف مقبولة.
reset-new-password-label = كلمة المرور الجديدة
reset-new-button = تغيير كلمة المرور
reset-done-heading = تم تغيير كلمة المرور
reset-done-text = تم تسجيل خروجك من جميع الأجهزة. سجّل الدخول مرة أخرى باستخدام كلمة المرور الجديدة.

## Enrolment links an administrator hands out (tickets).

ticket-title = إعداد تسجيل الدخول بخطوتين
ticket-heading = إعداد تسجيل الدخول بخطوتين
# $email is the account's address.
ticket-lead = طلب منك المسؤول إضافة خطوة ثانية لتسجيل الدخول إلى الحساب { $email }. يستغرق ذلك دقيقة واحدة، ويعمل هذا الرابط مرة واحدة فقط.
ticket-start = البدء
ticket-expired-heading = انتهت صلاحية هذا الرابط
ticket-expired-text = تعمل روابط الإعداد مرة واحدة فقط ولمدة محدودة. اطلب رابطًا جديدًا من المسؤول.
ticket-done-heading = اكتمل الإعداد
ticket-done-text = طريقة تسجيل الدخول الجديدة جاهزة. سجّل الدخول إلى تطبيقاتك كالمعتاد، وستطلبها منك عند الحاجة إليها.

## Signing in with another service. $provider is its name, e.g. "Google".

upstream-no-provider = مزوّد تسجيل الدخول هذا غير موجود.
upstream-failed-heading = تعذّر تسجيل الدخول
upstream-failed-text = تعذّر على { $provider } تسجيل دخولك الآن. ارجع وحاول مرة أخرى، أو سجّل الدخول بطريقة أخرى.
# The same, when the provider is no longer configured.
upstream-failed-text-unknown = تعذّر على المزوّد تسجيل دخولك الآن. ارجع وحاول مرة أخرى، أو سجّل الدخول بطريقة أخرى.
upstream-not-signed-in-heading = لم يتم تسجيل الدخول
upstream-denied-text = لم تسجّل الدخول باستخدام { $provider }. ارجع للمحاولة مرة أخرى، أو سجّل الدخول بطريقة أخرى.
upstream-error-text = تعذّر على { $provider } تسجيل دخولك. ارجع للمحاولة مرة أخرى، أو سجّل الدخول بطريقة أخرى.
upstream-refused-heading = لا يمكن تسجيل الدخول باستخدام { $provider }
upstream-refused-blocked = لا يمكن لهذا الحساب تسجيل الدخول.
upstream-refused-unverified = لم يشارك { $provider } عنوان بريد إلكتروني تم التحقق منه. تحقق من عنوان بريدك الإلكتروني لدى { $provider }، أو سجّل الدخول بطريقة أخرى.
upstream-refused-signup = لا يمكن إنشاء حسابات جديدة هنا. سجّل الدخول باستخدام حساب موجود.
upstream-email-unusable = لا يمكن استخدام عنوان البريد الإلكتروني هذا هنا. سجّل الدخول بطريقة أخرى.
upstream-link-title = ربط حسابك
upstream-link-heading = يوجد حساب بهذا البريد الإلكتروني بالفعل
# $email is the address the provider shared.
upstream-link-lead = يوجد بالفعل حساب بالعنوان { $email }. سجّل الدخول إليه مرة واحدة لربط { $provider }، وبعد ذلك سيسجّل { $provider } دخولك مباشرةً.
upstream-link-password-label = كلمة المرور
upstream-link-button = تسجيل الدخول والربط
# A link, followed by upstream-link-other-note.
upstream-link-other = تسجيل الدخول بطريقة أخرى
upstream-link-other-note = (يتم الربط بمجرد تسجيل دخولك).
upstream-link-error-wrong = كلمة المرور غير صحيحة.

## Consent to a third-party application. $client is the application's name.

consent-title = هل تسمح لـ { $client }؟
consent-heading = هل تسمح لـ { $client } باستخدام حسابك؟
# $email is the signed-in user's address.
consent-lead = لا تدير الجهة المشغّلة لخدمة تسجيل الدخول هذه { $client }. أنت مسجّل الدخول باسم { $email }.
# $api is the name of an API the application wants to use for the user (shown in bold); a
# list of permissions follows.
consent-asks-api = يطلب التطبيق استخدام { $api } نيابةً عنك، كما يطلب:
# Followed by a list of permissions.
consent-asks = يطلب التطبيق:
consent-note = يمكنك سحب هذا الإذن في أي وقت من صفحة الأمان.
consent-allow = السماح
consent-deny = الرفض
consent-expired = انتهت صلاحية هذا الطلب أو أنه غير معروف. ارجع إلى التطبيق وابدأ من جديد.
consent-choose = اختر «السماح» أو «الرفض».

## Signing in a device (a TV, a command line) with the code it shows. $client is the application's name.

device-title = ربط جهاز
device-heading = ربط جهاز
device-lead = أدخل الرمز الذي يعرضه جهازك.
device-code-label = الرمز
device-continue = متابعة
device-code-invalid = هذا الرمز غير صالح أو استُخدم من قبل أو انتهت صلاحيته. تحقق من الرمز على جهازك أو ابدأ من جديد عليه.
# $email is the signed-in user's address. The code follows, on its own line.
device-consent-lead = يطلب جهاز استخدام { $client } بصفتك { $email }. لا تسمح بذلك إلا إذا بدأت هذا بنفسك وكان الجهاز يعرض هذا الرمز:
device-done-heading = تم ربط الجهاز
device-done = تم تسجيل دخول جهازك إلى { $client }. يمكنك إغلاق هذه الصفحة.
device-denied-heading = لم يُربط الجهاز
device-denied = لم يُسجَّل دخول الجهاز. يمكنك إغلاق هذه الصفحة.

## Approving an application's request from the emailed link (CIBA). $client is the application's name.

ciba-title = الموافقة على طلب
ciba-heading = الموافقة على طلب
ciba-lead = يطلب { $client } موافقتك. لا تتابع إلا إذا كنت تتوقع هذا الطلب؛ ستؤكد هويتك أولًا.
ciba-continue = متابعة
ciba-deny = رفض
ciba-invalid = انتهت صلاحية هذا الطلب أو تمت الإجابة عنه أو أنه غير معروف. اطلبه مجددًا من التطبيق إن كنت لا تزال تحتاجه.
# $email is the signed-in user's address. The application's own message follows, on its own line.
ciba-consent-lead = يطلب { $client } التصرف بصفتك { $email }. لا تسمح بذلك إلا إذا كنت تتوقعه وكان التطبيق يعرض الرسالة نفسها:
ciba-done-heading = تمت الموافقة على الطلب
ciba-done = حصل { $client } على موافقتك. يمكنك إغلاق هذه الصفحة.
ciba-denied-heading = تم رفض الطلب
ciba-denied = تم إبلاغ التطبيق بالرفض. يمكنك إغلاق هذه الصفحة.
ciba-wrong-account = سجّلت الدخول بحساب غير الحساب الذي يخصه هذا الطلب، لذا تم رفضه.

## Creating an account. $client is the application's name.

signup-title = إنشاء حسابك
signup-heading = إنشاء حسابك
signup-lead-account = لإدارة طرق تسجيل الدخول
signup-lead-client = للمتابعة إلى { $client }
signup-email-label = البريد الإلكتروني
signup-name-label = الاسم
signup-name-optional = (اختياري)
signup-password-label = كلمة المرور
# $min is the shortest password allowed, a number.
signup-password-note = ما لا يقل عن { $min ->
    [one] حرف واحد
    [two] حرفين
    [few] { $min } أحرف
    [many] { $min } حرفًا
   *[other] { $min } حرف
}. بضع كلمات غير شائعة تصنع كلمة مرور قوية، والمسافات وجميع الأحرف مقبولة.
signup-button = إنشاء الحساب
# Followed by the link signup-signin-link.
signup-signin-prompt = هل لديك حساب بالفعل؟
signup-signin-link = تسجيل الدخول
signup-error-email = أدخل عنوان بريد إلكتروني صالحًا.
signup-closed-heading = إنشاء الحسابات غير متاح
signup-closed-text = لا يمكن إنشاء حسابات جديدة هنا. اطلب حسابًا من مسؤول التطبيق.
signup-expired-heading = انتهت صلاحية عملية التسجيل هذه
# $valid is a lifetime such as "30 minutes".
signup-expired-text = تعمل رموز التسجيل وروابطه مرة واحدة فقط، لمدة { $valid }، ولا يعمل إلا أحدث ما أُرسل. ابدأ من جديد من التطبيق.
signup-confirm-heading = تأكيد عنوان بريدك الإلكتروني
signup-confirm-lead = لقد فتحت الرابط الذي يُكمل إنشاء حسابك.
signup-confirm-button = التأكيد وإنشاء حسابي
signup-ready-heading = حسابك جاهز
signup-ready-text = تم التحقق من عنوان بريدك الإلكتروني. ارجع إلى التطبيق وسجّل الدخول.

## The emailed code, at sign-up and when an address must be verified to sign in. $email is
## the address the code went to.

signup-code-heading = تحقق من بريدك الإلكتروني
verify-heading = تأكيد عنوان بريدك الإلكتروني
verify-lead = أرسلنا رمزًا مكوّنًا من ستة أرقام إلى { $email }. أدخله هنا.
# At sign-up, where the email also holds a link.
signup-code-lead = أرسلنا رمزًا مكوّنًا من ستة أرقام إلى { $email }. أدخله هنا، أو افتح الرابط الموجود في تلك الرسالة.
signup-code-label = الرمز
signup-code-button = تأكيد
signup-code-resend = إرسال رمز جديد
signup-code-resent = أرسلنا رمزًا جديدًا. لا يعمل إلا أحدث رمز.
signup-code-error = هذا الرمز غير صحيح أو انتهت صلاحيته. راجع أحدث رسالة، أو ابدأ من جديد.
verify-error = هذا الرمز غير صحيح أو انتهت صلاحيته. سجّل الدخول مرة أخرى للحصول على رمز جديد.
signup-code-too-many = أرسلنا عدة رموز بالفعل. تحقق من مجلد الرسائل غير المرغوب فيها، أو ابدأ من جديد لاحقًا.
