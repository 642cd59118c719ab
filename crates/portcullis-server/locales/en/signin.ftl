## signin


## The sign-in page. $client is the name of the application being signed in to.

login-title = Sign in
login-heading = Sign in
login-lead-account = to manage your account
login-lead-client = to continue to { $client }
login-email-label = Email
login-password-label = Password
login-continue = Continue
login-magic-link = Email me a sign-in link instead
# $provider is the name of another sign-in service, e.g. "Google".
login-continue-with = Continue with { $provider }
login-forgot-password = Forgot your password?
# Followed by the link login-signup-link.
login-signup-prompt = New here?
login-signup-link = Create an account
login-passkey = Sign in with a passkey
login-error-wrong = Wrong email or password.
login-error-passkey = That passkey could not sign you in. Try again, or use your password.
login-expired = This sign-in request has expired or is not known. Go back to the application and start again.
signin-expired = This sign-in has expired. Go back to the application and start again.
signin-refused = This account cannot sign in here. Contact the administrator.
# $reason is the reason the administrator's rules give, as they wrote it.
signin-access-denied = Access denied: { $reason }

## Email sign-in links. $valid is a lifetime such as "10 minutes".

magic-missing-email-heading = Enter your email address
magic-missing-email-text = Go back and enter the email address of your account to get a sign-in link.
magic-sent-heading = Check your email
# $email is the address typed on the sign-in page.
magic-sent-text = If { $email } has an account, we sent it a sign-in link. It works once, for { $valid }. You can close this page.
magic-link-heading = Continue signing in
magic-link-lead = You opened a sign-in link. Continue on this device to sign in.
magic-link-button = Sign in
magic-expired-heading = This link has expired
magic-expired-text = Sign-in links work once, for { $valid }, and only the newest one sent works. Go back to the sign-in page to get a new one.

## Password reset. $valid is a lifetime such as "30 minutes".

reset-title = Reset your password
reset-heading = Reset your password
reset-lead = Enter the email address of your account. We will send a link to choose a new password.
reset-email-label = Email
reset-send = Send the link
reset-sent-heading = Check your email
reset-sent-text = If an account uses that address, we sent it a link to choose a new password. The link works once, for { $valid }.
reset-link-heading = Choose a new password
reset-link-lead = You opened a password reset link. Continue on this device; if your account has a second sign-in step, you will be asked for it first.
reset-link-button = Continue
reset-expired-heading = This link has expired
reset-expired-text = Password reset links work once, for { $valid }, and only the newest one sent works. Ask for a new one from the sign-in page.
reset-new-title = Choose a new password
reset-new-heading = Choose a new password
# $email is the account's address; $min is the shortest password allowed, a number.
reset-new-lead = For { $email }. Use at least { $min ->
        [one] { $min } character
       *[other] { $min } characters
    }; a few uncommon words make a strong password. Spaces and any characters are welcome.
reset-new-password-label = New password
reset-new-button = Change password
reset-done-heading = Your password was changed
reset-done-text = You were signed out everywhere. Sign in again with your new password.

## Enrolment links an administrator hands out (tickets).

ticket-title = Set up two-step sign-in
ticket-heading = Set up two-step sign-in
# $email is the account's address.
ticket-lead = Your administrator asked you to add a second sign-in step to the account { $email }. It takes a minute; this link works once.
ticket-start = Start
ticket-expired-heading = This link has expired
ticket-expired-text = Enrolment links work once and for a limited time. Ask your administrator for a new one.
ticket-done-heading = You're all set
ticket-done-text = Your new sign-in method is ready. Sign in to your applications as usual; they will ask for it when they need it.

## Signing in with another service. $provider is its name, e.g. "Google".

upstream-no-provider = No such sign-in provider.
upstream-failed-heading = Sign-in did not work
upstream-failed-text = { $provider } could not sign you in just now. Go back and try again, or sign in another way.
# The same, when the provider is no longer configured.
upstream-failed-text-unknown = The provider could not sign you in just now. Go back and try again, or sign in another way.
upstream-not-signed-in-heading = Not signed in
upstream-denied-text = You did not sign in with { $provider }. Go back to try again, or sign in another way.
upstream-error-text = { $provider } could not sign you in. Go back to try again, or sign in another way.
upstream-refused-heading = { $provider } sign-in not possible
upstream-refused-blocked = This account cannot sign in.
upstream-refused-unverified = { $provider } did not share a verified email address. Verify your email address at { $provider }, or sign in another way.
upstream-refused-signup = New accounts cannot be created here. Sign in with an existing account.
upstream-email-unusable = This email address cannot be used here. Sign in another way.
upstream-link-title = Link your account
upstream-link-heading = This email already has an account
# $email is the address the provider shared.
upstream-link-lead = An account with { $email } already exists. Sign in to it once to link { $provider }; after that, { $provider } signs you in directly.
upstream-link-password-label = Password
upstream-link-button = Sign in and link
# A link, followed by upstream-link-other-note.
upstream-link-other = Sign in another way
upstream-link-other-note = (the link is made once you are signed in).
upstream-link-error-wrong = Wrong password.

## Consent to a third-party application. $client is the application's name.

consent-title = Allow { $client }?
consent-heading = Allow { $client } to use your account?
# $email is the signed-in user's address.
consent-lead = { $client } is not run by the operator of this sign-in service. You are signed in as { $email }.
# $api is the name of an API the application wants to use for the user (shown in bold); a
# list of permissions follows.
consent-asks-api = It asks to use { $api } on your behalf, and to:
# Followed by a list of permissions.
consent-asks = It asks to:
consent-note = You can withdraw this at any time from your security page.
consent-allow = Allow
consent-deny = Deny
consent-expired = This request has expired or is not known. Go back to the application and start again.
consent-choose = Choose Allow or Deny.

## Signing in a device (a TV, a command line) with the code it shows. $client is the application's name.

device-title = Connect a device
device-heading = Connect a device
device-lead = Enter the code your device shows.
device-code-label = Code
device-continue = Continue
device-code-invalid = This code is not valid, was already used or has expired. Check the code on your device, or start again there.
# $email is the signed-in user's address. The code follows, on its own line.
device-consent-lead = A device asks to use { $client } as { $email }. Allow it only if you started this yourself and the device shows this code:
device-done-heading = Device connected
device-done = Your device is now signed in to { $client }. You can close this page.
device-denied-heading = Device not connected
device-denied = The device was not signed in. You can close this page.

## Approving an application's request from the emailed link (CIBA). $client is the application's name.

ciba-title = Approve a request
ciba-heading = Approve a request
ciba-lead = { $client } asks for your approval. Continue only if you expect it; you will confirm who you are first.
ciba-continue = Continue
ciba-deny = Deny
ciba-invalid = This request has expired, was already answered or is not known. Ask the application again if you still need it.
# $email is the signed-in user's address. The application's own message follows, on its own line.
ciba-consent-lead = { $client } asks to act as { $email }. Allow it only if you expect it and the application shows the same message:
ciba-done-heading = Request approved
ciba-done = { $client } has your approval. You can close this page.
ciba-denied-heading = Request denied
ciba-denied = The application was told no. You can close this page.
ciba-wrong-account = You signed in with another account than the one this request is for, so it was refused.

## Creating an account. $client is the application's name.

signup-title = Create your account
signup-heading = Create your account
signup-lead-account = to manage your sign-in methods
signup-lead-client = to continue to { $client }
signup-email-label = Email
signup-name-label = Name
signup-name-optional = (optional)
signup-password-label = Password
# $min is the shortest password allowed, a number.
signup-password-note = At least { $min ->
        [one] { $min } character
       *[other] { $min } characters
    }. A few uncommon words make a strong password; spaces and any characters are welcome.
signup-button = Create account
# Followed by the link signup-signin-link.
signup-signin-prompt = Already have an account?
signup-signin-link = Sign in
signup-error-email = Enter a valid email address.
signup-closed-heading = Sign-up is not available
signup-closed-text = New accounts cannot be created here. Ask the application's administrator for an account.
signup-expired-heading = This sign-up has expired
# $valid is a lifetime such as "30 minutes".
signup-expired-text = Sign-up codes and links work once, for { $valid }, and only the newest one sent works. Start again from the application.
signup-confirm-heading = Verify your email address
signup-confirm-lead = You opened the link that finishes creating your account.
signup-confirm-button = Verify and create my account
signup-ready-heading = Your account is ready
signup-ready-text = Your email address is verified. Go back to the application and sign in.

## The emailed code, at sign-up and when an address must be verified to sign in. $email is
## the address the code went to.

signup-code-heading = Check your email
verify-heading = Verify your email address
verify-lead = We sent a six-digit code to { $email }. Enter it here.
# At sign-up, where the email also holds a link.
signup-code-lead = We sent a six-digit code to { $email }. Enter it here, or open the link in that email.
signup-code-label = Code
signup-code-button = Verify
signup-code-resend = Send a new code
signup-code-resent = We sent a new code. Only the newest one works.
signup-code-error = That code is not right, or it expired. Check the newest email, or start again.
verify-error = That code is not right, or it expired. Sign in again for a new one.
signup-code-too-many = We sent several codes already. Check your spam folder, or start again later.
