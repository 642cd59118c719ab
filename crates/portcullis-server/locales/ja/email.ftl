## email

## Security notices. $link is a web address on a line of its own or at the end of a sentence;
## keep it last in its sentence so a mail client can make it a link.

email-password-changed-subject = パスワードが変更されました
email-password-changed-everywhere = アカウントのパスワードが変更され、すべてのデバイスでサインアウトされました。

    お心当たりがない場合は、今すぐアカウントを保護してください: { $link }
email-password-changed-others = アカウントのパスワードが変更され、ほかのセッションはサインアウトされました。

    お心当たりがない場合は、今すぐアカウントを保護してください: { $link }
email-factor-added-subject = アカウントにサインイン方法が追加されました
email-factor-added-api = アカウントにサインイン方法が追加されました。

    お心当たりがない場合は、今すぐセキュリティ設定をご確認ください: { $link }
# $kind is a kind of sign-in method ("Authenticator app"), $name the name the user gave it.
email-factor-added = アカウントに{ $kind }「{ $name }」が追加されました。

    お心当たりがない場合は、今すぐセキュリティ設定をご確認ください: { $link }
email-factor-removed-subject = アカウントからサインイン方法が削除されました
email-factor-removed = アカウントから{ $kind }「{ $name }」が削除され、ほかのセッションはサインアウトされました。

    お心当たりがない場合は、今すぐアカウントを保護してください: { $link }
# $left is the number of recovery codes the user still has.
email-recovery-used-subject = 回復コードが使用されました
email-recovery-used = 先ほど、アカウントへのサインインに回復コードが使用されました。残りの回復コードは{ $left }個です。

    お心当たりがない場合は、パスワードを変更し、セキュリティ設定をご確認ください: { $link }
email-new-device-subject = アカウントへの新しいサインイン
# $device names the browser and system ("Chrome on macOS"), $ip an address, $when a date and time.
email-new-device = 新しいデバイスからアカウントへのサインインがありました。

    デバイス: { $device }
    IP アドレス: { $ip }
    日時: { $when }

    ご本人によるサインインであれば、対応は不要です。お心当たりがない場合は、今すぐパスワードを変更し、サインイン方法をご確認ください: { $link }
email-new-device-ip-unknown = 不明
email-deletion-scheduled-subject = アカウントは削除される予定です
# $when is a date and time.
email-deletion-scheduled = アカウントの削除をリクエストいただきました。{ $when } 以降、アカウントはすべてのデータとともに削除されます。また、すべてのデバイスでサインアウトされました。

    アカウントを残す場合は、それまでにもう一度サインインしてください: { $link }

    お心当たりがない場合は、今すぐサインインしてパスワードを変更してください。
email-deletion-cancelled-subject = アカウントは削除されません
email-deletion-cancelled = サインインされたため、リクエストいただいたアカウントの削除はキャンセルされました。アカウントはそのまま残ります。

    やはり削除する場合は、プロフィールからもう一度リクエストしてください: { $link }

## Changing the email address. $valid is a period such as "30 minutes".

email-address-taken-subject = どなたかがお客様のメールアドレスを使用しようとしました
email-address-taken = 別のアカウントにサインインしている方が、このメールアドレスをそのアカウントで使用しようとしました。このメールアドレスはすでにお客様のアカウントで使用されているため、何も変更されておらず、ほかのメールも送信されていません。

    お心当たりがない場合は、このメールを無視してかまいません。アカウントをご確認ください: { $link }
email-change-confirm-subject = 新しいメールアドレスを確認してください
email-change-confirm = このアドレスをアカウントで使用するには、{ $valid }以内に次のリンクを開いてください（1回のみ有効）:
    { $link }

    お心当たりがない場合は、このメールを無視してください。何も変更されません。
# $address is the new address, partly hidden ("a***@example.com").
email-address-changed-subject = メールアドレスが変更されました
email-address-changed = アカウントのメールアドレスが { $address } に変更されました。今後、アカウントに関するお知らせはこのアドレスに送信されます。

    お心当たりがない場合は、今すぐアカウントを保護してください: { $link }

## Links and codes. $valid is a period such as "10 minutes"; $code is a one-time code.

email-magic-link-subject = サインイン用リンク
email-magic-link = 次のリンクから { $product } にサインインしてください。リンクは1回のみ有効で、{ $valid }後に有効期限が切れます:

    { $link }

    お心当たりがない場合は、このメッセージを無視してください。このリンクがなければ、誰もサインインできません。
# $client is an application's name, $binding its own short message, $valid a duration.
email-ciba-subject = { $client } があなたの承認を求めています
email-ciba = { $client } がリクエストの承認を求めています。心当たりがある場合は、{ $valid }以内にこのリンクを開き、パスキーまたは 2 つ目の要素で確認してください:

    { $link }
email-ciba-binding = { $client } が次の承認を求めています:「{ $binding }」。心当たりがある場合は、{ $valid }以内にこのリンクを開き、パスキーまたは 2 つ目の要素で確認してください:

    { $link }
email-verify-subject = メールアドレスを確認してください
email-signup-code = アカウントの作成を完了するためのコードは { $code } です

    または、次のリンクを開いてください（1回のみ有効、有効期間は{ $valid }）:
    { $link }

    アカウントの作成をリクエストしていない場合は、このメールを無視してください。確認が行われない限り、アカウントは作成されません。
email-verify-code = このメールアドレスを確認するためのコードは { $code } です

    コードは1回のみ有効で、有効期間は{ $valid }です。サインインしようとしていない場合は、このメールを無視してください。
# $account and $reset are web addresses.
email-signup-taken-subject = すでにアカウントをお持ちです
email-signup-taken = どなたか（お客様ご本人かもしれません）が、このメールアドレスでアカウントを作成しようとしました。すでにアカウントをお持ちのため、新しいアカウントは作成されていません。

    アカウントにサインインする: { $account }

    パスワードをお忘れの場合は、新しいパスワードを設定してください: { $reset }

    お心当たりがない場合は、このメールを無視してかまいません。
email-reset-subject = パスワードの再設定
email-reset = アカウントのパスワードの再設定がリクエストされました。新しいパスワードを設定するには、{ $valid }以内に次のリンクを開いてください（1回のみ有効）:
    { $link }

    お心当たりがない場合は、このメールを無視してください。パスワードは変更されません。

## Links an administrator sends.

email-enrol-ticket-subject = 2段階認証を設定してください
email-enrol-ticket = 管理者から、アカウントに2つ目のサインイン手順を追加するよう依頼がありました。

    次のリンクを開いて設定してください（1回のみ有効）:
    { $link }

    お心当たりがない場合は、このメールを無視してください。
email-password-ticket-subject = パスワードを設定してください
email-password-ticket = 次のリンクから、アカウントのパスワードを設定してください（1回のみ有効）:
    { $link }

    お心当たりがない場合は、このメールを無視してください。

## One-time codes by email or text message: keep the text short (an SMS in Arabic or Japanese
## holds 70 characters per part). $code is the code, $valid a period such as "10 minutes".

code-message-subject = 確認コード
code-message = { $product } の確認コードは { $code } です。有効期間は{ $valid }です。お心当たりがない場合は無視してください。
