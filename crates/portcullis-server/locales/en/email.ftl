## email

## Security notices. $link is a web address on a line of its own or at the end of a sentence;
## keep it last in its sentence so a mail client can make it a link.

email-password-changed-subject = Your password was changed
email-password-changed-everywhere = The password of your account was changed and you were signed out everywhere.

    If this was not you, secure your account now: { $link }
email-password-changed-others = The password of your account was changed and your other sessions were signed out.

    If this was not you, secure your account now: { $link }
email-factor-added-subject = A sign-in method was added to your account
email-factor-added-api = A sign-in method was added to your account.

    If this was not you, review your security settings now: { $link }
# $kind is a kind of sign-in method ("Authenticator app"), $name the name the user gave it.
email-factor-added = { $kind } "{ $name }" was added to your account.

    If this was not you, review your security settings now: { $link }
email-factor-removed-subject = A sign-in method was removed from your account
email-factor-removed = { $kind } "{ $name }" was removed from your account and your other sessions were signed out.

    If this was not you, secure your account now: { $link }
# $left is the number of recovery codes the user still has.
email-recovery-used-subject = A recovery code was used
email-recovery-used = A recovery code was just used to sign in to your account. You have { $left } left.

    If this was not you, change your password and review your security settings: { $link }
email-new-device-subject = New sign-in to your account
# $device names the browser and system ("Chrome on macOS"), $ip an address, $when a date and time.
email-new-device = Your account was signed in to from a new device.

    Device: { $device }
    IP address: { $ip }
    Time: { $when }

    If this was you, there is nothing to do. If not, change your password and review your sign-in methods now: { $link }
email-new-device-ip-unknown = unknown
email-deletion-scheduled-subject = Your account will be deleted
# $when is a date and time.
email-deletion-scheduled = You asked to delete your account. It will be deleted with everything in it after { $when }, and you were signed out everywhere.

    To keep your account, sign in again before then: { $link }

    If this was not you, sign in now and change your password.
email-deletion-cancelled-subject = Your account will not be deleted
email-deletion-cancelled = You signed in, so the deletion of your account you asked for was cancelled. Your account stays as it is.

    To delete it after all, ask again from your profile: { $link }

## Changing the email address. $valid is a period such as "30 minutes".

email-address-taken-subject = Someone tried to use your email address
email-address-taken = Someone signed in to another account asked to use this email address for it. Your account already uses it, so nothing was changed and nothing else was sent.

    If you did not expect this, you can ignore this email. Review your account: { $link }
email-change-confirm-subject = Confirm your new email address
email-change-confirm = To use this address for your account, open this link within { $valid } (it works once):
    { $link }

    If you did not ask for this, ignore this email: nothing changes.
# $address is the new address, partly hidden ("a***@example.com").
email-address-changed-subject = Your email address was changed
email-address-changed = The email address of your account was changed to { $address }. Messages about your account now go there.

    If this was not you, secure your account now: { $link }

## Links and codes. $valid is a period such as "10 minutes"; $code is a one-time code.

email-magic-link-subject = Your sign-in link
email-magic-link = Use this link to sign in to { $product }. It works once and expires in { $valid }:

    { $link }

    If you did not ask for it, ignore this message: nobody can sign in without it.
# $client is an application's name, $binding its own short message, $valid a duration.
email-ciba-subject = { $client } asks for your approval
email-ciba = { $client } asks you to approve a request. If you expect it, open this link within { $valid } and confirm with your passkey or a second factor:

    { $link }
email-ciba-binding = { $client } asks you to approve: “{ $binding }”. If you expect it, open this link within { $valid } and confirm with your passkey or a second factor:

    { $link }
email-verify-subject = Verify your email address
email-signup-code = Your code to finish creating your account is { $code }

    Or open this link (it works once, for { $valid }):
    { $link }

    If you did not ask for an account, ignore this email: nothing is created without it.
email-verify-code = Your code to verify this email address is { $code }

    It works once, for { $valid }. If you are not signing in, ignore this email.
# $account and $reset are web addresses.
email-signup-taken-subject = You already have an account
email-signup-taken = Someone, maybe you, tried to create an account with this email address. You already have one, so nothing was created.

    Sign in to your account: { $account }

    Forgot your password? Choose a new one: { $reset }

    If this was not you, you can ignore this email.
email-reset-subject = Reset your password
email-reset = Someone asked to reset the password of your account. To choose a new one, open this link within { $valid } (it works once):
    { $link }

    If this was not you, ignore this email: your password stays as it is.

## Links an administrator sends.

email-enrol-ticket-subject = Set up two-step sign-in
email-enrol-ticket = Your administrator asked you to add a second sign-in step to your account.

    Open this link to set it up (it works once):
    { $link }

    If you did not expect this, ignore this email.
email-password-ticket-subject = Choose your password
email-password-ticket = Choose a password for your account with this link (it works once):
    { $link }

    If you did not expect this, ignore this email.

## One-time codes by email or text message: keep the text short (an SMS in Arabic or Japanese
## holds 70 characters per part). $code is the code, $valid a period such as "10 minutes".

code-message-subject = Your verification code
code-message = Your { $product } verification code is { $code }. It expires in { $valid }. If you did not ask for it, ignore this message.
