## account

## Requests an app sent that cannot be answered (shown as a page, since the app cannot be told).

# $name is a parameter name such as client_id.
request-repeated = The parameter { $name } is repeated.
request-no-client-id = The request has no client_id.
request-unknown-app = The application is not known.
request-no-redirect-uri = The request has no redirect_uri.
request-redirect-uri-unregistered = The redirect_uri is not registered for this application.
# A pushed authorization request (request_uri) that is unknown, expired or spent.
request-uri-expired = This sign-in request has expired or was already used. Go back to the application and try again.
request-object-invalid = The application sent a sign-in request that could not be checked (its signature, its lifetime or its address). Go back to the application and try again.
logout-bad-hint = The id_token_hint is not valid.
logout-hint-mismatch = client_id does not match the id_token_hint.
logout-redirect-needs-client = post_logout_redirect_uri needs client_id or id_token_hint.
logout-redirect-unregistered = The post_logout_redirect_uri is not registered for this application.
logout-bad-uri = Bad URI.
# $error names the failed rule and what went wrong, in English.
action-failed = The sign-in could not be completed: a rule set by the administrator failed ({ $error }). Try again later or contact the administrator.
webauthn-off = Passkeys and security keys are off on this server: its address is an IP address, and they need a domain name.

## The profile page.

profile-title = Profile
# $email is the user's address.
profile-signed-in-as = Signed in as { $email }.
profile-verify-first = Changing your email address or password asks you to verify it's you first.
profile-security-link = Security settings
profile-unknown-action = Unknown action.
profile-name-heading = Name
profile-name-label = Display name
profile-name-button = Save name
profile-name-saved = Your name was saved.
profile-language-heading = Language
profile-language-lead = The language of these pages and of the emails we send you.
profile-language-label = Language
profile-language-button = Save language
profile-language-saved = Your language was saved.
profile-email-heading = Email address
profile-email-lead = We send a link to the new address; the change happens when you open it, and we tell your current address.
profile-email-label = New email address
profile-email-button = Send link
profile-email-button-verify = Verify it's you, then send link
profile-email-invalid = Enter a valid email address.
profile-email-same = That is already your email address.
# $new and $current are addresses, $valid a period such as "30 minutes".
profile-email-sent = We sent a link to { $new }. Open it within { $valid } to finish the change; until then your address stays { $current }.
profile-confirm-heading = Confirm your new email address
profile-confirm-lead = You opened a link to use this address for your account. Press the button to finish the change.
profile-confirm-button = Use this address
profile-link-expired-heading = This link has expired
profile-link-expired-text = Email change links work once, for { $valid }, and only the newest one sent works. Ask for a new one from your profile.
profile-cannot-use-heading = This address cannot be used
profile-cannot-use-text = Your email address was not changed. Choose another address from your profile.
profile-email-changed-heading = Your email address was changed
# $address is the new address.
profile-email-changed-text = Your account now uses { $address }. Sign in with it from now on.
profile-password-heading = Password
profile-current-label = Current password
profile-new-label = New password
# $min is the least number of characters.
profile-password-hint = { $min ->
    [one] At least { $min } character; a few uncommon words make a strong password. Your other sessions are signed out.
   *[other] At least { $min } characters; a few uncommon words make a strong password. Your other sessions are signed out.
}
profile-password-button = Change password
profile-password-button-verify = Verify it's you, then set password
profile-current-wrong = Your current password is not right.
profile-password-changed = Your password was changed. Your other sessions were signed out.
profile-delete-heading = Delete account
# $days is the grace period in days.
profile-delete-lead = { $days ->
    [one] Your account is deleted with everything in it { $days } day after you ask, and you are signed out everywhere. Signing in again before then keeps it.
   *[other] Your account is deleted with everything in it { $days } days after you ask, and you are signed out everywhere. Signing in again before then keeps it.
}
profile-delete-button = Delete my account
profile-delete-button-verify = Verify it's you, then delete my account
profile-deleted-heading = Your account will be deleted
# $wait is the grace period in days, e.g. "7 days".
profile-deleted-text = You were signed out everywhere. Your account will be deleted in { $wait }; signing in before then keeps it. We sent the details to your email address.
# $name is the parameter's name, e.g. state; the backquotes are part of the text.
logout-param-repeated = parameter `{ $name }` is repeated

## Scopes on the consent page: what the application may do ("It asks to: …").

scope-openid = Know who you are (your account ID)
scope-profile = See your name
scope-email = See your email address
scope-offline-access = Keep access while you are not using it
# An API's own permission: $api is the API's name, $scope the permission's code (e.g. read:payouts).
scope-api = { $api }: { $scope }

## Remembered devices, named after the browser (e.g. "Chrome on Linux").

# $browser is a browser's name (Chrome, Firefox) or device-browser-unknown; $os a system's name
# (Windows, iOS) or device-system-unknown.
device-label = { $browser } on { $os }
device-browser-unknown = Browser
device-system-unknown = unknown system
