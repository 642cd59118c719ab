## Second factors: the challenge at sign-in, enrolment, recovery codes, the security page and
## the password rules. $product is the product's name (e.g. "Portcullis").

## Kinds of sign-in method, as lists and emails name them.

factor-kind-totp = تطبيق المصادقة
factor-kind-webauthn = مفتاح أمان أو مفتاح مرور
factor-kind-email = رمز عبر البريد الإلكتروني
factor-kind-sms = رسالة نصية (SMS)

## The second step at sign-in (/u/mfa).

mfa-title = تأكيد هويتك
# $days is a whole number of days.
mfa-remember = { $days ->
    [zero] تذكّر هذا الجهاز لمدة { $days } يوم
    [one] تذكّر هذا الجهاز لمدة يوم واحد
    [two] تذكّر هذا الجهاز لمدة يومين
    [few] تذكّر هذا الجهاز لمدة { $days } أيام
    [many] تذكّر هذا الجهاز لمدة { $days } يومًا
   *[other] تذكّر هذا الجهاز لمدة { $days } يوم
}
mfa-webauthn-button = استخدام مفتاح الأمان أو مفتاح المرور
mfa-send-button = إرسال رمز
mfa-verify-button = تحقّق
# A fold-out list of the user's other sign-in methods.
mfa-other-ways = تجربة طريقة أخرى
# Labels of the code field, by method.
mfa-label-recovery = رمز الاسترداد
mfa-label-password = كلمة المرور
mfa-label-totp = الرمز من تطبيق المصادقة
mfa-label-code = الرمز الذي أرسلناه إليك
# $name is the name the user gave the authenticator app (e.g. "Authenticator app", "My phone").
mfa-lead-totp = أدخل الرمز المكوّن من 6 أرقام من { $name }.
# $target is a partly hidden email address or phone number, e.g. "a•••@example.com", "•••• 4567".
mfa-lead-send = سنرسل رمزًا مكوّنًا من 6 أرقام إلى { $target }.
mfa-lead-webauthn = استخدم مفتاح الأمان أو مفتاح المرور.
mfa-lead-recovery = أدخل أحد رموز الاسترداد التي حفظتها.
mfa-lead-password = أدخل كلمة المرور للمتابعة.
# Entries of "Try another way". $target is a partly hidden phone number or email address.
mfa-way-sms = رسالة نصية إلى { $target } (الأقل أمانًا)
mfa-way-email = رمز عبر البريد الإلكتروني إلى { $target }
# $kind is a kind of sign-in method ("Authenticator app"), $name the name the user gave it.
mfa-way-factor = { $kind }: { $name }
mfa-way-webauthn = مفتاح أمان أو مفتاح مرور
mfa-way-recovery = رمز استرداد
mfa-way-password = كلمة المرور
# $valid is a duration such as "10 minutes".
mfa-notice-sent = أرسلنا إليك رمزًا، وهو صالح لمدة { $valid }.
mfa-error-unavailable = طريقة التحقق هذه غير متاحة.
mfa-error-too-weak = لا توجد بين طرق تسجيل الدخول لديك طريقة قوية بما يكفي لهذا الإجراء.
mfa-error-expired = انتهت صلاحية عملية تسجيل الدخول هذه. ارجع إلى التطبيق وابدأ من جديد.
mfa-error-no-code = هذه الطريقة لا تستخدم رمزًا.
mfa-error-send-failed = تعذّر إرسال الرمز. حاول مرة أخرى أو اختر طريقة أخرى.
mfa-error-webauthn = لم يُقبل مفتاح الأمان أو مفتاح المرور هذا. حاول مرة أخرى.
mfa-error-wrong-code = هذا الرمز غير صحيح. تحقّق منه وحاول مرة أخرى.

## Errors of the browser's security key or passkey prompt (sign-in and registration).

webauthn-error-cancelled = أُلغي الطلب أو انتهت مهلته. حاول مرة أخرى.
webauthn-error-registered = أداة المصادقة هذه مسجّلة بالفعل.
webauthn-error-failed = تعذّر على المتصفح أو أداة المصادقة إكمال هذه العملية. حاول مرة أخرى أو اختر طريقة أخرى.

## Choosing a sign-in method to add (/u/enroll).

enroll-title = إضافة طريقة لتسجيل الدخول
enroll-heading-required = إعداد التحقق بخطوتين
enroll-lead-required = يطلب هذا التطبيق خطوة ثانية عند تسجيل الدخول. اختر الطريقة التي تريد أن تؤكد بها هويتك.
enroll-lead = اختر طريقة لإضافتها.
# A link, followed by enroll-passkey-note.
enroll-passkey = مفتاح المرور
enroll-passkey-note = (موصى به: بصمة الإصبع أو الوجه أو رقم PIN للجهاز)
enroll-security-key = مفتاح الأمان
enroll-totp = تطبيق المصادقة
enroll-email = رموز عبر البريد الإلكتروني
# A link, followed by enroll-sms-note.
enroll-sms = رموز عبر الرسائل النصية
enroll-sms-note = — الخيار الأقل أمانًا: يمكن اعتراض الرسائل أو تحويلها
enroll-verify-button = التحقق والتفعيل
# The label of the field for the new method's name.
enroll-name-label = الاسم
enroll-error-expired = انتهت صلاحية عملية الإضافة هذه. ابدأ من جديد.
enroll-error-not-allowed = لا يسمح هذا التطبيق بهذه الطريقة. اختر طريقة أخرى.
enroll-error-email-proved = سجّلت الدخول باستخدام بريدك الإلكتروني، لذا لن تضيف الرموز عبر البريد الإلكتروني خطوة ثانية. اختر طريقة أخرى.
enroll-error-channel = قناة غير معروفة.
enroll-error-style = نوع غير معروف من أدوات المصادقة.

## Codes by email or text message (/u/enroll/oob).

enroll-oob-title-sms = إعداد الرموز عبر الرسائل النصية
enroll-oob-title-email = إعداد الرموز عبر البريد الإلكتروني
enroll-oob-heading-sms = رموز عبر الرسائل النصية
enroll-oob-heading-email = رموز عبر البريد الإلكتروني
enroll-oob-sms-warning = الرسائل النصية هي أقل طرق التحقق أمانًا، إذ يمكن اعتراضها أو تحويلها إلى شريحة SIM أخرى. يُفضَّل استخدام تطبيق المصادقة أو مفتاح المرور.
enroll-oob-label-sms = رقم الجوال
enroll-oob-label-email = عنوان البريد الإلكتروني
enroll-oob-send = إرسال رمز
# $target is the email address or phone number; $valid a duration such as "10 minutes".
enroll-oob-sent = أرسلنا رمزًا مكوّنًا من 6 أرقام إلى { $target }، وهو صالح لمدة { $valid }.
enroll-oob-code-label = الرمز
enroll-oob-error-sms = أدخل الرقم بالصيغة الدولية، مثل ⁦+966 50 123 4567⁩.
enroll-oob-error-email = أدخل عنوان بريد إلكتروني صالحًا.
enroll-oob-error-code = هذا الرمز غير صحيح أو انتهت صلاحيته. تحقّق منه وحاول مرة أخرى.
# The names new methods get (the user can rename them on the security page).
enroll-oob-name-sms = الهاتف
enroll-oob-name-email = البريد الإلكتروني

## An authenticator app (/u/enroll/totp).

enroll-totp-title = إعداد تطبيق المصادقة
enroll-totp-lead = امسح الرمز باستخدام تطبيق المصادقة، ثم أدخل الرمز المكوّن من 6 أرقام الذي يعرضه.
enroll-totp-qr = رمز QR لتطبيق المصادقة
enroll-totp-manual = ألا يمكنك مسحه؟ أدخل هذا المفتاح بدلًا من ذلك:
enroll-totp-open = الفتح في تطبيق مصادقة على هذا الجهاز
enroll-totp-code-label = الرمز من التطبيق
# The name a new authenticator app gets unless the user types another.
enroll-totp-name = تطبيق المصادقة
enroll-totp-error = هذا الرمز غير مطابق. تحقّق من الوقت على جهازك وأدخل الرمز الحالي.

## A passkey or a security key (/u/enroll/webauthn).

enroll-passkey-title = إنشاء مفتاح مرور
enroll-passkey-lead = سجّل الدخول ببصمة إصبعك أو وجهك أو رقم PIN لجهازك بدلًا من كلمة المرور. يبقى مفتاح المرور على جهازك أو في مدير كلمات المرور لديك.
enroll-passkey-button = إنشاء مفتاح المرور
# The name a new passkey gets unless the user types another.
enroll-passkey-name = مفتاح المرور
enroll-key-title = إضافة مفتاح أمان
enroll-key-lead = استخدم مفتاحًا ماديًا (مثل YubiKey) أو جهازك كخطوة ثانية بعد كلمة المرور.
enroll-key-button = إضافة مفتاح الأمان
# The name a new security key gets unless the user types another.
enroll-key-name = مفتاح الأمان
enroll-webauthn-noscript = يتطلب هذا تفعيل JavaScript. اختر طريقة أخرى إذا كان معطّلًا.
enroll-webauthn-error = تعذّر التحقق من استجابة أداة المصادقة. حاول مرة أخرى.

## Recovery codes, shown once.

recovery-codes-title = احفظ رموز الاسترداد
recovery-codes-lead = إذا فقدت جهازك، فكل رمز من هذه الرموز يتيح لك تسجيل الدخول مرة واحدة. لن تظهر هذه الرموز إلا الآن، فاحتفظ بها في مكان آمن.
recovery-codes-download = التنزيل كملف نصي
recovery-codes-copy = نسخ
# Shown on the copy button once the codes are on the clipboard.
recovery-codes-copied = تم النسخ
recovery-codes-continue = حفظتها — متابعة
# The first lines of the downloaded text file.
recovery-codes-file-heading = رموز الاسترداد لـ { $product }
recovery-codes-file-note = يعمل كل رمز مرة واحدة فقط.

## The security page (/u/account/security).

security-title = الأمان
# $email is the user's email address.
security-signed-in-as = سجّلت الدخول باسم { $email }.
security-verify-first = تتطلب التغييرات أن تؤكد هويتك أولًا.
security-profile = الملف الشخصي
security-sign-out = تسجيل الخروج
security-factors = طرق تسجيل الدخول
security-no-factors = ليس لديك عامل ثانٍ بعد. أضف عاملًا حتى لا تكفي كلمة مرور مسروقة للدخول إلى حسابك.
security-col-method = الطريقة
security-col-name = الاسم
security-col-added = تاريخ الإضافة
security-col-last-used = آخر استخدام
security-col-actions = الإجراءات
# After a text message method in the list.
security-least-secure = (الأقل أمانًا)
security-kind-passkey = مفتاح مرور
security-kind-security-key = مفتاح أمان
# Where a passkey or security key lives (shown in parentheses after its kind).
security-note-synced = متزامن مع أجهزتك الأخرى
security-note-syncable = قابل للمزامنة
security-note-device-only = على هذا الجهاز فقط
# A date that never happened ("Last used: never").
security-never = أبدًا
# For screen readers. $name is the name of a sign-in method.
security-rename-label = اسم جديد لـ { $name }
security-rename = إعادة التسمية
# For screen readers. $name is the name of a sign-in method.
security-remove-label = إزالة { $name }
security-remove = إزالة
security-add-method = إضافة طريقة لتسجيل الدخول
security-recovery = رموز الاسترداد
# $n is a whole number.
security-recovery-left = { $n ->
    [zero] لا توجد رموز استرداد غير مستخدمة.
    [one] رمز استرداد واحد غير مستخدم.
    [two] رمزا استرداد غير مستخدمين.
    [few] { $n } رموز استرداد غير مستخدمة.
    [many] { $n } رمزًا للاسترداد غير مستخدم.
   *[other] { $n } رمز استرداد غير مستخدم.
}
security-regenerate = إنشاء رموز جديدة (ستتوقف الرموز القديمة عن العمل)
security-devices = الأجهزة التي يتم تذكّرها
security-no-devices = لا يوجد.
security-col-device = الجهاز
security-col-remembered = تاريخ التذكّر
security-forget = إلغاء التذكّر
security-links = الحسابات المرتبطة
security-col-account = الحساب
security-col-connected = تاريخ الربط
# For screen readers. $account is a connected account's provider, e.g. "Google".
security-disconnect-label = إلغاء ربط { $account }
security-disconnect = إلغاء الربط
security-apps = التطبيقات التي سمحت لها بالوصول
security-col-app = التطبيق
# The column of what an app may do (its scopes).
security-col-can = الصلاحيات
security-col-since = منذ
# For screen readers. $client is an application's name.
security-revoke-label = إزالة وصول { $client }
security-revoke = إزالة الوصول
security-sessions = الجلسات
security-col-ip = عنوان IP
security-col-started = وقت البدء
security-col-last-seen = آخر نشاط
# The assurance level of a session (aal1, aal2…).
security-col-level = المستوى
security-col-action = الإجراء
security-this-session = هذه الجلسة
# The button that ends another session.
security-end-session = تسجيل الخروج
security-events = أحداث الأمان الأخيرة
security-col-when = الوقت
security-col-event = الحدث
security-col-from = المصدر
security-error-gone = هذا العنصر لم يعد موجودًا.
security-error-empty-name = لا يمكن أن يكون الاسم فارغًا.
security-error-no-factor = أضف طريقة لتسجيل الدخول أولًا، فرموز الاسترداد تأتي معها.
security-error-last-link = هذه هي طريقتك لتسجيل الدخول. اختر كلمة مرور في صفحة ملفك الشخصي أولًا، ثم ألغِ الربط.
security-error-action = إجراء غير معروف.

## New passwords: the strength meter and the rules (sign-up, reset, profile).

# The strength meter's name, for screen readers.
password-meter-label = قوة كلمة المرور
password-meter-strong = كلمة مرور قوية.
password-meter-acceptable = مقبولة. إضافة بضع كلمات أخرى غير شائعة ستجعلها أقوى.
# $min is the shortest length allowed, a number.
password-rule-too-short = { $min ->
    [zero] يجب أن تتكون كلمة المرور من { $min } حرف على الأقل.
    [one] يجب أن تتكون كلمة المرور من حرف واحد على الأقل.
    [two] يجب أن تتكون كلمة المرور من حرفين على الأقل.
    [few] يجب أن تتكون كلمة المرور من { $min } أحرف على الأقل.
    [many] يجب أن تتكون كلمة المرور من { $min } حرفًا على الأقل.
   *[other] يجب أن تتكون كلمة المرور من { $min } حرف على الأقل.
}
# $max is the longest length allowed, a number.
password-rule-too-long = { $max ->
    [zero] يجب ألا تزيد كلمة المرور على { $max } حرف.
    [one] يجب ألا تزيد كلمة المرور على حرف واحد.
    [two] يجب ألا تزيد كلمة المرور على حرفين.
    [few] يجب ألا تزيد كلمة المرور على { $max } أحرف.
    [many] يجب ألا تزيد كلمة المرور على { $max } حرفًا.
   *[other] يجب ألا تزيد كلمة المرور على { $max } حرف.
}
password-rule-unprintable = يجب ألا تحتوي كلمة المرور على أحرف تحكّم.
password-rule-common = كلمة المرور هذه شائعة الاستخدام أو سبق أن تسرّبت.
password-rule-personal = يجب ألا تحتوي كلمة المرور على عنوان بريدك الإلكتروني أو اسمك.
password-rule-guessable = كلمة المرور سهلة التخمين جدًا؛ بضع كلمات غير شائعة تصنع كلمة مرور قوية.

## The security page's recent events: one per audit event kind (kinds without a message
## show as stored). Short, like a log line, in the past tense.

event-login-success = تسجيل الدخول
event-login-failure = فشل تسجيل الدخول
event-lockout = إيقاف تسجيل الدخول مؤقتًا بعد محاولات كثيرة
event-mfa-challenged = طُلبت الخطوة الثانية
event-factor-enrolled = أُضيفت طريقة تسجيل دخول
event-factor-removed = أُزيلت طريقة تسجيل دخول
event-factor-renamed = أُعيدت تسمية طريقة تسجيل دخول
event-factor-failure = رمز أو مفتاح أمان غير صحيح
event-factor-associated = أضاف تطبيق طريقة تسجيل دخول
event-recovery-code-used = استُخدم رمز استرداد
event-recovery-codes-regenerated = أُنشئت رموز استرداد جديدة
event-recovery-codes-removed = أُزيلت رموز الاسترداد
event-password-changed = تغيّرت كلمة المرور
event-password-change-failed = رُفض تغيير كلمة المرور
event-password-reset-requested = طُلبت إعادة تعيين كلمة المرور
event-password-reset-forced = طلب أحد المسؤولين كلمة مرور جديدة
event-password-rehashed = تحسين طريقة حفظ كلمة المرور
event-device-forgotten = نُسي جهاز محفوظ
event-session-revoked = انتهت جلسة
event-session-logout = تسجيل الخروج
event-session-ended = انتهت جلسة
event-signup-success = أُنشئ الحساب
event-magic-link-sent = أُرسل رابط تسجيل الدخول
event-stepup-requested = طُلب تحقق إضافي
event-stepup-met = نجح التحقق الإضافي
event-stepup-failed = فشل التحقق الإضافي
event-consent-granted = سُمح لتطبيق
event-consent-denied = رُفض تطبيق
event-consent-revoked = أُلغي وصول تطبيق
event-token-exchanged = تصرّفت خدمة تطبيق نيابةً عنك
event-ciba-requested = طلب تطبيق موافقتك
event-upstream-linked = رُبط حساب
event-upstream-unlinked = فُصل حساب
event-user-created = أُنشئ الحساب
event-user-updated = تغيّرت بيانات الحساب
event-user-blocked = حُظر الحساب
event-user-unblocked = رُفع حظر الحساب
event-user-deletion-scheduled = جُدول حذف الحساب
event-user-deletion-cancelled = أُلغي حذف الحساب
event-user-email-change-requested = طُلب تغيير البريد الإلكتروني
event-user-email-changed = تغيّر عنوان البريد الإلكتروني
event-user-email-verified = تأكّد عنوان البريد الإلكتروني
event-user-sessions-ended = انتهت كل الجلسات
event-user-role-changed = تغيّرت الأدوار
event-ticket-created = أُنشئ رابط إعداد
event-ticket-password-change-created = أُنشئ رابط كلمة المرور
event-ticket-used = استُخدم رابط إعداد
