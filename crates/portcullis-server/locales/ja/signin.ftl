## signin


## The sign-in page. $client is the name of the application being signed in to.

login-title = サインイン
login-heading = サインイン
login-lead-account = アカウントの管理に進みます
login-lead-client = { $client } に進みます
login-email-label = メールアドレス
login-password-label = パスワード
login-continue = 次へ
login-magic-link = 代わりにサインイン用リンクをメールで受け取る
# $provider is the name of another sign-in service, e.g. "Google".
login-continue-with = { $provider } で続行
login-forgot-password = パスワードをお忘れですか？
# Followed by the link login-signup-link.
login-signup-prompt = 初めてご利用ですか？
login-signup-link = アカウントを作成
login-passkey = パスキーでサインイン
login-error-wrong = メールアドレスまたはパスワードが正しくありません。
login-error-passkey = このパスキーではサインインできませんでした。もう一度お試しいただくか、パスワードをご利用ください。
login-expired = このサインイン リクエストは期限切れか、不明なものです。アプリケーションに戻って、最初からやり直してください。
signin-expired = このサインインは期限切れになりました。アプリケーションに戻って、最初からやり直してください。
signin-refused = このアカウントではここにサインインできません。管理者にお問い合わせください。
# $reason is the reason the administrator's rules give, as they wrote it.
signin-access-denied = アクセスが拒否されました: { $reason }

## Email sign-in links. $valid is a lifetime such as "10 minutes".

magic-missing-email-heading = メールアドレスを入力してください
magic-missing-email-text = 前のページに戻り、アカウントのメールアドレスを入力すると、サインイン用リンクが届きます。
magic-sent-heading = メールをご確認ください
# $email is the address typed on the sign-in page.
magic-sent-text = { $email } のアカウントが存在する場合は、サインイン用リンクを送信しました。リンクの有効期間は { $valid } で、1 回だけ使用できます。このページは閉じてかまいません。
magic-link-heading = サインインを続行
magic-link-lead = サインイン用リンクを開きました。サインインするには、このデバイスで続行してください。
magic-link-button = サインイン
magic-expired-heading = このリンクは期限切れです
magic-expired-text = サインイン用リンクの有効期間は { $valid } で、1 回だけ使用できます。また、有効なのは最後に送信されたリンクのみです。サインイン ページに戻って、新しいリンクを取得してください。

## Password reset. $valid is a lifetime such as "30 minutes".

reset-title = パスワードの再設定
reset-heading = パスワードの再設定
reset-lead = アカウントのメールアドレスを入力してください。新しいパスワードを設定するためのリンクをお送りします。
reset-email-label = メールアドレス
reset-send = リンクを送信
reset-sent-heading = メールをご確認ください
reset-sent-text = そのアドレスを使用しているアカウントがある場合は、新しいパスワードを設定するためのリンクを送信しました。リンクの有効期間は { $valid } で、1 回だけ使用できます。
reset-link-heading = 新しいパスワードの設定
reset-link-lead = パスワード再設定用のリンクを開きました。このデバイスで続行してください。アカウントに 2 段階目のサインイン手順がある場合は、先にその手順を求められます。
reset-link-button = 続行
reset-expired-heading = このリンクは期限切れです
reset-expired-text = パスワード再設定用リンクの有効期間は { $valid } で、1 回だけ使用できます。また、有効なのは最後に送信されたリンクのみです。サインイン ページから新しいリンクをリクエストしてください。
reset-new-title = 新しいパスワードの設定
reset-new-heading = 新しいパスワードの設定
# $email is the account's address; $min is the shortest password allowed, a number.
reset-new-lead = { $email } の新しいパスワードです。{ $min } 文字以上で設定してください。あまり使われない単語をいくつか組み合わせると、強力なパスワードになります。スペースを含め、どの文字も使用できます。
reset-new-password-label = 新しいパスワード
reset-new-button = パスワードを変更
reset-done-heading = パスワードが変更されました
reset-done-text = すべてのデバイスからサインアウトしました。新しいパスワードでもう一度サインインしてください。

## Enrolment links an administrator hands out (tickets).

ticket-title = 2 段階サインインの設定
ticket-heading = 2 段階サインインの設定
# $email is the account's address.
ticket-lead = 管理者から、アカウント { $email } に 2 段階目のサインイン手順を追加するよう依頼がありました。所要時間は 1 分ほどです。このリンクは 1 回だけ使用できます。
ticket-start = 開始
ticket-expired-heading = このリンクは期限切れです
ticket-expired-text = 設定用リンクは 1 回だけ、限られた期間のみ使用できます。管理者に新しいリンクを依頼してください。
ticket-done-heading = 設定が完了しました
ticket-done-text = 新しいサインイン方法の準備ができました。いつもどおりアプリケーションにサインインしてください。必要なときにこの方法の使用を求められます。

## Signing in with another service. $provider is its name, e.g. "Google".

upstream-no-provider = 指定されたサインイン プロバイダは存在しません。
upstream-failed-heading = サインインできませんでした
upstream-failed-text = 現在 { $provider } でサインインできません。前のページに戻ってもう一度お試しいただくか、別の方法でサインインしてください。
# The same, when the provider is no longer configured.
upstream-failed-text-unknown = 現在プロバイダでサインインできません。前のページに戻ってもう一度お試しいただくか、別の方法でサインインしてください。
upstream-not-signed-in-heading = サインインしていません
upstream-denied-text = { $provider } でのサインインは行われませんでした。前のページに戻ってもう一度お試しいただくか、別の方法でサインインしてください。
upstream-error-text = { $provider } でサインインできませんでした。前のページに戻ってもう一度お試しいただくか、別の方法でサインインしてください。
upstream-refused-heading = { $provider } でサインインできません
upstream-refused-blocked = このアカウントではサインインできません。
upstream-refused-unverified = { $provider } から確認済みのメールアドレスが共有されませんでした。{ $provider } でメールアドレスを確認するか、別の方法でサインインしてください。
upstream-refused-signup = ここでは新しいアカウントを作成できません。既存のアカウントでサインインしてください。
upstream-email-unusable = このメールアドレスはここでは使用できません。別の方法でサインインしてください。
upstream-link-title = アカウントのリンク
upstream-link-heading = このメールアドレスのアカウントはすでに存在します
# $email is the address the provider shared.
upstream-link-lead = { $email } のアカウントはすでに存在します。{ $provider } をリンクするには、一度そのアカウントにサインインしてください。以降は { $provider } で直接サインインできます。
upstream-link-password-label = パスワード
upstream-link-button = サインインしてリンク
# A link, followed by upstream-link-other-note.
upstream-link-other = 別の方法でサインイン
upstream-link-other-note = （サインインが完了した時点でリンクされます）
upstream-link-error-wrong = パスワードが正しくありません。

## Consent to a third-party application. $client is the application's name.

consent-title = { $client } を許可しますか？
consent-heading = { $client } にアカウントの使用を許可しますか？
# $email is the signed-in user's address.
consent-lead = { $client } は、このサインイン サービスの運営者が提供しているものではありません。{ $email } でサインインしています。
# $api is the name of an API the application wants to use for the user (shown in bold); a
# list of permissions follows.
consent-asks-api = このアプリケーションは、お客様に代わって { $api } を使用すること、および次の操作の許可を求めています:
# Followed by a list of permissions.
consent-asks = このアプリケーションは、次の操作の許可を求めています:
consent-note = この許可は、セキュリティ ページからいつでも取り消せます。
consent-allow = 許可
consent-deny = 拒否
consent-expired = このリクエストは期限切れか、不明なものです。アプリケーションに戻って、最初からやり直してください。
consent-choose = 「許可」または「拒否」を選択してください。

## Signing in a device (a TV, a command line) with the code it shows. $client is the application's name.

device-title = デバイスを接続
device-heading = デバイスを接続
device-lead = デバイスに表示されているコードを入力してください。
device-code-label = コード
device-continue = 続行
device-code-invalid = このコードは無効か、使用済みか、有効期限が切れています。デバイスのコードを確認するか、デバイスでやり直してください。
# $email is the signed-in user's address. The code follows, on its own line.
device-consent-lead = デバイスが { $email } として { $client } を使おうとしています。ご自身で開始し、デバイスに次のコードが表示されている場合にのみ許可してください:
device-done-heading = デバイスを接続しました
device-done = デバイスは { $client } にサインインしました。このページは閉じてかまいません。
device-denied-heading = デバイスは接続されませんでした
device-denied = デバイスはサインインしませんでした。このページは閉じてかまいません。

## Approving an application's request from the emailed link (CIBA). $client is the application's name.

ciba-title = リクエストの承認
ciba-heading = リクエストの承認
ciba-lead = { $client } があなたの承認を求めています。心当たりがある場合のみ続行してください。最初に本人確認を行います。
ciba-continue = 続行
ciba-deny = 拒否
ciba-invalid = このリクエストは有効期限が切れているか、すでに回答済みか、不明です。まだ必要な場合はアプリケーションからもう一度依頼してください。
# $email is the signed-in user's address. The application's own message follows, on its own line.
ciba-consent-lead = { $client } が { $email } として操作しようとしています。心当たりがあり、アプリケーションに同じメッセージが表示されている場合のみ許可してください:
ciba-done-heading = リクエストを承認しました
ciba-done = { $client } はあなたの承認を得ました。このページは閉じてかまいません。
ciba-denied-heading = リクエストを拒否しました
ciba-denied = アプリケーションに拒否を伝えました。このページは閉じてかまいません。
ciba-wrong-account = このリクエストの対象とは別のアカウントでサインインしたため、リクエストは拒否されました。

## Creating an account. $client is the application's name.

signup-title = アカウントの作成
signup-heading = アカウントの作成
signup-lead-account = サインイン方法の管理に進みます
signup-lead-client = { $client } に進みます
signup-email-label = メールアドレス
signup-name-label = 名前
signup-name-optional = （任意）
signup-password-label = パスワード
# $min is the shortest password allowed, a number.
signup-password-note = { $min } 文字以上。あまり使われない単語をいくつか組み合わせると、強力なパスワードになります。スペースを含め、どの文字も使用できます。
signup-button = アカウントを作成
# Followed by the link signup-signin-link.
signup-signin-prompt = すでにアカウントをお持ちですか？
signup-signin-link = サインイン
signup-error-email = 有効なメールアドレスを入力してください。
signup-closed-heading = アカウントを作成できません
signup-closed-text = ここでは新しいアカウントを作成できません。アプリケーションの管理者にアカウントを依頼してください。
signup-expired-heading = この登録手続きは期限切れです
# $valid is a lifetime such as "30 minutes".
signup-expired-text = 登録用のコードとリンクの有効期間は { $valid } で、1 回だけ使用できます。また、有効なのは最後に送信されたもののみです。アプリケーションから最初からやり直してください。
signup-confirm-heading = メールアドレスの確認
signup-confirm-lead = アカウントの作成を完了するためのリンクを開きました。
signup-confirm-button = 確認してアカウントを作成
signup-ready-heading = アカウントの準備ができました
signup-ready-text = メールアドレスが確認されました。アプリケーションに戻ってサインインしてください。

## The emailed code, at sign-up and when an address must be verified to sign in. $email is
## the address the code went to.

signup-code-heading = メールをご確認ください
verify-heading = メールアドレスの確認
verify-lead = { $email } に 6 桁のコードを送信しました。ここに入力してください。
# At sign-up, where the email also holds a link.
signup-code-lead = { $email } に 6 桁のコードを送信しました。ここに入力するか、そのメールに記載されたリンクを開いてください。
signup-code-label = コード
signup-code-button = 確認
signup-code-resend = 新しいコードを送信
signup-code-resent = 新しいコードを送信しました。有効なのは最新のコードのみです。
signup-code-error = コードが正しくないか、期限切れです。最新のメールを確認するか、最初からやり直してください。
verify-error = コードが正しくないか、期限切れです。もう一度サインインして、新しいコードを受け取ってください。
signup-code-too-many = すでに複数のコードを送信しています。迷惑メール フォルダを確認するか、しばらくしてから最初からやり直してください。
