## account

## Requests an app sent that cannot be answered (shown as a page, since the app cannot be told).

# $name is a parameter name such as client_id.
request-repeated = パラメーター { $name } が重複しています。
request-no-client-id = リクエストに client_id がありません。
request-unknown-app = このアプリケーションは登録されていません。
request-no-redirect-uri = リクエストに redirect_uri がありません。
request-redirect-uri-unregistered = この redirect_uri はこのアプリケーションに登録されていません。
# A pushed authorization request (request_uri) that is unknown, expired or spent.
request-uri-expired = このサインイン リクエストは有効期限が切れているか、すでに使用されています。アプリケーションに戻って、もう一度お試しください。
request-object-invalid = アプリケーションから送られたサインイン リクエストを確認できませんでした (署名、有効期間、または宛先)。アプリケーションに戻って、もう一度お試しください。
logout-bad-hint = id_token_hint が無効です。
logout-hint-mismatch = client_id が id_token_hint と一致しません。
logout-redirect-needs-client = post_logout_redirect_uri には client_id か id_token_hint が必要です。
logout-redirect-unregistered = この post_logout_redirect_uri はこのアプリケーションに登録されていません。
logout-bad-uri = URI が正しくありません。
# $error names the failed rule and what went wrong, in English.
action-failed = サインインを完了できませんでした。管理者が設定したルールが失敗しました（{ $error }）。しばらくしてからもう一度お試しいただくか、管理者にお問い合わせください。
webauthn-off = このサーバーではパスキーとセキュリティキーが無効です。アドレスが IP アドレスですが、これらにはドメイン名が必要です。

## The profile page.

profile-title = プロフィール
# $email is the user's address.
profile-signed-in-as = { $email } でサインインしています。
profile-verify-first = メールアドレスやパスワードを変更する前に、ご本人確認をお願いします。
profile-security-link = セキュリティ設定
profile-unknown-action = 不明な操作です。
profile-name-heading = 名前
profile-name-label = 表示名
profile-name-button = 名前を保存
profile-name-saved = 名前を保存しました。
profile-language-heading = 言語
profile-language-lead = このページと、お送りするメールの言語です。
profile-language-label = 言語
profile-language-button = 言語を保存
profile-language-saved = 言語を保存しました。
profile-email-heading = メールアドレス
profile-email-lead = 新しいアドレスにリンクをお送りします。リンクを開くと変更され、現在のアドレスにもお知らせします。
profile-email-label = 新しいメールアドレス
profile-email-button = リンクを送信
profile-email-button-verify = 本人確認をしてリンクを送信
profile-email-invalid = 有効なメールアドレスを入力してください。
profile-email-same = すでにお使いのメールアドレスです。
# $new and $current are addresses, $valid a period such as "30 minutes".
profile-email-sent = { $new } にリンクを送信しました。{ $valid }以内に開いて変更を完了してください。それまでアドレスは { $current } のままです。
profile-confirm-heading = 新しいメールアドレスの確認
profile-confirm-lead = このアドレスをアカウントで使うためのリンクを開きました。ボタンを押して変更を完了してください。
profile-confirm-button = このアドレスを使う
profile-link-expired-heading = このリンクは期限切れです
profile-link-expired-text = メールアドレス変更のリンクは { $valid }の間に 1 回だけ使え、最後に送信されたものだけが有効です。プロフィールから新しいリンクをリクエストしてください。
profile-cannot-use-heading = このアドレスは使用できません
profile-cannot-use-text = メールアドレスは変更されていません。プロフィールから別のアドレスを選んでください。
profile-email-changed-heading = メールアドレスを変更しました
# $address is the new address.
profile-email-changed-text = アカウントのアドレスは { $address } になりました。今後はこのアドレスでサインインしてください。
profile-password-heading = パスワード
profile-current-label = 現在のパスワード
profile-new-label = 新しいパスワード
# $min is the least number of characters.
profile-password-hint = { $min } 文字以上。珍しい単語をいくつか組み合わせると強いパスワードになります。ほかのセッションはサインアウトされます。
profile-password-button = パスワードを変更
profile-password-button-verify = 本人確認をしてパスワードを設定
profile-current-wrong = 現在のパスワードが正しくありません。
profile-password-changed = パスワードを変更しました。ほかのセッションはサインアウトされました。
profile-delete-heading = アカウントの削除
# $days is the grace period in days.
profile-delete-lead = アカウントはリクエストの { $days } 日後に、すべてのデータとともに削除されます。すべての場所でサインアウトされます。それまでにもう一度サインインすると、アカウントは残ります。
profile-delete-button = アカウントを削除
profile-delete-button-verify = 本人確認をしてアカウントを削除
profile-deleted-heading = アカウントは削除されます
# $wait is the grace period in days, e.g. "7 days".
profile-deleted-text = すべての場所でサインアウトしました。アカウントは { $wait }後に削除されます。それまでにサインインすると、アカウントは残ります。詳細はメールでお送りしました。
# $name is the parameter's name, e.g. state; the backquotes are part of the text.
logout-param-repeated = パラメーター `{ $name }` が重複しています

## Scopes on the consent page: what the application may do ("It asks to: …").

scope-openid = あなたが誰かを知る（アカウント ID）
scope-profile = 名前を見る
scope-email = メールアドレスを見る
scope-offline-access = 使っていないときもアクセスを維持する
# An API's own permission: $api is the API's name, $scope the permission's code (e.g. read:payouts).
scope-api = { $api }: { $scope }

## Remembered devices, named after the browser (e.g. "Chrome on Linux").

# $browser is a browser's name (Chrome, Firefox) or device-browser-unknown; $os a system's name
# (Windows, iOS) or device-system-unknown.
device-label = { $os } の { $browser }
device-browser-unknown = ブラウザー
device-system-unknown = 不明なシステム
