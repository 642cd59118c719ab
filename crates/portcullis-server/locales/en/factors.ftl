## Second factors: the challenge at sign-in, enrolment, recovery codes, the security page and
## the password rules. $product is the product's name (e.g. "Portcullis").

## Kinds of sign-in method, as lists and emails name them.

factor-kind-totp = Authenticator app
factor-kind-webauthn = Security key or passkey
factor-kind-email = Email code
factor-kind-sms = Text message (SMS)

## The second step at sign-in (/u/mfa).

mfa-title = Verify it's you
# $days is a whole number of days.
mfa-remember = { $days ->
    [one] Remember this device for { $days } day
   *[other] Remember this device for { $days } days
}
mfa-webauthn-button = Use security key or passkey
mfa-send-button = Send a code
mfa-verify-button = Verify
# A fold-out list of the user's other sign-in methods.
mfa-other-ways = Try another way
# Labels of the code field, by method.
mfa-label-recovery = Recovery code
mfa-label-password = Password
mfa-label-totp = Code from your authenticator app
mfa-label-code = Code we sent you
# $name is the name the user gave the authenticator app (e.g. "Authenticator app", "My phone").
mfa-lead-totp = Enter the 6-digit code from { $name }.
# $target is a partly hidden email address or phone number, e.g. "a•••@example.com", "•••• 4567".
mfa-lead-send = We'll send a 6-digit code to { $target }.
mfa-lead-webauthn = Use your security key or passkey.
mfa-lead-recovery = Enter one of the recovery codes you saved.
mfa-lead-password = Enter your password to continue.
# Entries of "Try another way". $target is a partly hidden phone number or email address.
mfa-way-sms = Text message to { $target } (least secure)
mfa-way-email = Email code to { $target }
# $kind is a kind of sign-in method ("Authenticator app"), $name the name the user gave it.
mfa-way-factor = { $kind }: { $name }
mfa-way-webauthn = A security key or passkey
mfa-way-recovery = A recovery code
mfa-way-password = Your password
# $valid is a duration such as "10 minutes".
mfa-notice-sent = We sent you a code. It is valid for { $valid }.
mfa-error-unavailable = That way to verify is not available.
mfa-error-too-weak = None of your sign-in methods is strong enough for this.
mfa-error-expired = This sign-in has expired. Go back to the application and start again.
mfa-error-no-code = This factor takes no code.
mfa-error-send-failed = We could not send the code. Try again or choose another way.
mfa-error-webauthn = That security key or passkey was not accepted. Try again.
mfa-error-wrong-code = That code is not right. Check it and try again.

## Errors of the browser's security key or passkey prompt (sign-in and registration).

webauthn-error-cancelled = The request was cancelled or timed out. Try again.
webauthn-error-registered = This authenticator is already registered.
webauthn-error-failed = Your browser or authenticator could not complete this. Try again or choose another way.

## Choosing a sign-in method to add (/u/enroll).

enroll-title = Add a sign-in method
enroll-heading-required = Set up two-step verification
enroll-lead-required = This application asks for a second step at sign-in. Choose how you want to verify it's you.
enroll-lead = Choose a method to add.
# A link, followed by enroll-passkey-note.
enroll-passkey = Passkey
enroll-passkey-note = (recommended: fingerprint, face or device PIN)
enroll-security-key = Security key
enroll-totp = Authenticator app
enroll-email = Codes by email
# A link, followed by enroll-sms-note.
enroll-sms = Codes by text message
enroll-sms-note = — the least secure option: messages can be intercepted or redirected
enroll-verify-button = Verify and turn on
# The label of the field for the new method's name.
enroll-name-label = Name
enroll-error-expired = This enrolment has expired. Start again from the beginning.
enroll-error-not-allowed = This application does not allow that method. Choose another one.
enroll-error-email-proved = You signed in with your email, so codes by email would not add a second step. Choose another method.
enroll-error-channel = Unknown channel.
enroll-error-style = Unknown kind of authenticator.

## Codes by email or text message (/u/enroll/oob).

enroll-oob-title-sms = Set up codes by text message
enroll-oob-title-email = Set up codes by email
enroll-oob-heading-sms = Codes by text message
enroll-oob-heading-email = Codes by email
enroll-oob-sms-warning = Text messages are the least secure way to verify: they can be intercepted or redirected to another SIM. Prefer an authenticator app or a passkey.
enroll-oob-label-sms = Mobile number
enroll-oob-label-email = Email address
enroll-oob-send = Send a code
# $target is the email address or phone number; $valid a duration such as "10 minutes".
enroll-oob-sent = We sent a 6-digit code to { $target }. It is valid for { $valid }.
enroll-oob-code-label = Code
enroll-oob-error-sms = Enter the number in international format, like +44 7700 900123.
enroll-oob-error-email = Enter a valid email address.
enroll-oob-error-code = That code is not right, or it has expired. Check it and try again.
# The names new methods get (the user can rename them on the security page).
enroll-oob-name-sms = Phone
enroll-oob-name-email = Email

## An authenticator app (/u/enroll/totp).

enroll-totp-title = Set up an authenticator app
enroll-totp-lead = Scan the code with an authenticator app, then enter the 6-digit code it shows.
enroll-totp-qr = QR code for your authenticator app
enroll-totp-manual = Can't scan it? Enter this key instead:
enroll-totp-open = Open in an authenticator app on this device
enroll-totp-code-label = Code from the app
# The name a new authenticator app gets unless the user types another.
enroll-totp-name = Authenticator app
enroll-totp-error = That code did not match. Check the time on your device and try the current code.

## A passkey or a security key (/u/enroll/webauthn).

enroll-passkey-title = Create a passkey
enroll-passkey-lead = Sign in with your fingerprint, face or device PIN instead of a password. The passkey stays on your device or in your password manager.
enroll-passkey-button = Create passkey
# The name a new passkey gets unless the user types another.
enroll-passkey-name = Passkey
enroll-key-title = Add a security key
enroll-key-lead = Use a hardware key (such as a YubiKey) or your device as a second step after your password.
enroll-key-button = Add security key
# The name a new security key gets unless the user types another.
enroll-key-name = Security key
enroll-webauthn-noscript = This needs JavaScript. Choose another method if it is turned off.
enroll-webauthn-error = Your authenticator's answer could not be verified. Try again.

## Recovery codes, shown once.

recovery-codes-title = Save your recovery codes
recovery-codes-lead = If you lose your device, each of these codes lets you sign in once. They are shown only now: keep them somewhere safe.
recovery-codes-download = Download as a text file
recovery-codes-copy = Copy
# Shown on the copy button once the codes are on the clipboard.
recovery-codes-copied = Copied
recovery-codes-continue = I have saved them — continue
# The first lines of the downloaded text file.
recovery-codes-file-heading = { $product } recovery codes
recovery-codes-file-note = Each code works once.

## The security page (/u/account/security).

security-title = Security
# $email is the user's email address.
security-signed-in-as = Signed in as { $email }.
security-verify-first = Changes ask you to verify it's you first.
security-profile = Profile
security-sign-out = Sign out
security-factors = Sign-in methods
security-no-factors = You have no second factor yet. Add one so a stolen password is not enough to get in.
security-col-method = Method
security-col-name = Name
security-col-added = Added
security-col-last-used = Last used
security-col-actions = Actions
# After a text message method in the list.
security-least-secure = (least secure)
security-kind-passkey = Passkey
security-kind-security-key = Security key
# Where a passkey or security key lives (shown in parentheses after its kind).
security-note-synced = synced to your other devices
security-note-syncable = can be synced
security-note-device-only = on this device only
# A date that never happened ("Last used: never").
security-never = never
# For screen readers. $name is the name of a sign-in method.
security-rename-label = New name for { $name }
security-rename = Rename
# For screen readers. $name is the name of a sign-in method.
security-remove-label = Remove { $name }
security-remove = Remove
security-add-method = Add a sign-in method
security-recovery = Recovery codes
# $n is a whole number.
security-recovery-left = { $n ->
    [one] { $n } unused recovery code.
   *[other] { $n } unused recovery codes.
}
security-regenerate = Generate new codes (the old ones stop working)
security-devices = Remembered devices
security-no-devices = None.
security-col-device = Device
security-col-remembered = Remembered
security-forget = Forget
security-links = Connected accounts
security-col-account = Account
security-col-connected = Connected
# For screen readers. $account is a connected account's provider, e.g. "Google".
security-disconnect-label = Disconnect { $account }
security-disconnect = Disconnect
security-apps = Apps you allowed
security-col-app = App
# The column of what an app may do (its scopes).
security-col-can = Can
security-col-since = Since
# For screen readers. $client is an application's name.
security-revoke-label = Remove access of { $client }
security-revoke = Remove access
security-sessions = Sessions
security-col-ip = IP address
security-col-started = Started
security-col-last-seen = Last seen
# The assurance level of a session (aal1, aal2…).
security-col-level = Level
security-col-action = Action
security-this-session = This session
# The button that ends another session.
security-end-session = Sign out
security-events = Recent security events
security-col-when = When
security-col-event = Event
security-col-from = From
security-error-gone = That item no longer exists.
security-error-empty-name = A name cannot be empty.
security-error-no-factor = Add a sign-in method first: recovery codes come with it.
security-error-last-link = This is how you sign in. Choose a password on your profile page first, then disconnect it.
security-error-action = Unknown action.

## New passwords: the strength meter and the rules (sign-up, reset, profile).

# The strength meter's name, for screen readers.
password-meter-label = Password strength
password-meter-strong = Strong password.
password-meter-acceptable = Acceptable. A few more uncommon words would make it stronger.
# $min is the shortest length allowed, a number.
password-rule-too-short = { $min ->
    [one] Password must have at least { $min } character.
   *[other] Password must have at least { $min } characters.
}
# $max is the longest length allowed, a number.
password-rule-too-long = { $max ->
    [one] Password must have at most { $max } character.
   *[other] Password must have at most { $max } characters.
}
password-rule-unprintable = Password must not contain control characters.
password-rule-common = Password is a commonly used or breached password.
password-rule-personal = Password must not contain your email address or name.
password-rule-guessable = Password is too easy to guess; a few uncommon words make a strong one.

## The security page's recent events: one per audit event kind (kinds without a message
## show as stored). Short, like a log line, in the past tense.

event-login-success = Signed in
event-login-failure = Sign-in failed
event-lockout = Sign-in paused after too many attempts
event-mfa-challenged = Second step asked for
event-factor-enrolled = Sign-in method added
event-factor-removed = Sign-in method removed
event-factor-renamed = Sign-in method renamed
event-factor-failure = Wrong code or security key
event-factor-associated = Sign-in method added by an app
event-recovery-code-used = Recovery code used
event-recovery-codes-regenerated = New recovery codes made
event-recovery-codes-removed = Recovery codes removed
event-password-changed = Password changed
event-password-change-failed = Password change refused
event-password-reset-requested = Password reset asked for
event-password-reset-forced = New password required by an administrator
event-password-rehashed = Password storage upgraded
event-device-forgotten = Remembered device forgotten
event-session-revoked = Session ended
event-session-logout = Signed out
event-session-ended = Session ended
event-signup-success = Account created
event-magic-link-sent = Sign-in link sent
event-stepup-requested = Extra check asked for
event-stepup-met = Extra check passed
event-stepup-failed = Extra check failed
event-consent-granted = App allowed
event-consent-denied = App refused
event-consent-revoked = App access removed
event-token-exchanged = An app’s service acted for you
event-ciba-requested = An app asked for your approval
event-upstream-linked = Account connected
event-upstream-unlinked = Account disconnected
event-user-created = Account created
event-user-updated = Account details changed
event-user-blocked = Account blocked
event-user-unblocked = Account unblocked
event-user-deletion-scheduled = Account deletion scheduled
event-user-deletion-cancelled = Account deletion cancelled
event-user-email-change-requested = Email change asked for
event-user-email-changed = Email address changed
event-user-email-verified = Email address confirmed
event-user-sessions-ended = All sessions ended
event-user-role-changed = Roles changed
event-ticket-created = Setup link created
event-ticket-password-change-created = Password link created
event-ticket-used = Setup link used
