## Second factors: the challenge at sign-in, enrolment, recovery codes, the security page and
## the password rules. $product is the product's name (e.g. "Portcullis").

## Kinds of sign-in method, as lists and emails name them.

factor-kind-totp = 認証アプリ
factor-kind-webauthn = セキュリティキーまたはパスキー
factor-kind-email = メールでのコード
factor-kind-sms = テキストメッセージ（SMS）

## The second step at sign-in (/u/mfa).

mfa-title = 本人確認
# $days is a whole number of days.
mfa-remember = このデバイスを{ $days }日間記憶する
mfa-webauthn-button = セキュリティキーまたはパスキーを使用
mfa-send-button = コードを送信
mfa-verify-button = 確認
# A fold-out list of the user's other sign-in methods.
mfa-other-ways = 別の方法を試す
# Labels of the code field, by method.
mfa-label-recovery = 復旧コード
mfa-label-password = パスワード
mfa-label-totp = 認証アプリに表示されたコード
mfa-label-code = 送信されたコード
# $name is the name the user gave the authenticator app (e.g. "Authenticator app", "My phone").
mfa-lead-totp = { $name } に表示されている6桁のコードを入力してください。
# $target is a partly hidden email address or phone number, e.g. "a•••@example.com", "•••• 4567".
mfa-lead-send = { $target } に6桁のコードを送信します。
mfa-lead-webauthn = セキュリティキーまたはパスキーを使用してください。
mfa-lead-recovery = 保存した復旧コードのいずれかを入力してください。
mfa-lead-password = 続行するには、パスワードを入力してください。
# Entries of "Try another way". $target is a partly hidden phone number or email address.
mfa-way-sms = { $target } へのテキストメッセージ（安全性が最も低い方法）
mfa-way-email = { $target } へのメールでのコード
# $kind is a kind of sign-in method ("Authenticator app"), $name the name the user gave it.
mfa-way-factor = { $kind }：{ $name }
mfa-way-webauthn = セキュリティキーまたはパスキー
mfa-way-recovery = 復旧コード
mfa-way-password = パスワード
# $valid is a duration such as "10 minutes".
mfa-notice-sent = コードを送信しました。有効期間は{ $valid }です。
mfa-error-unavailable = その確認方法は利用できません。
mfa-error-too-weak = この操作に必要な安全性を満たすサインイン方法がありません。
mfa-error-expired = このサインインの有効期限が切れました。アプリケーションに戻って、最初からやり直してください。
mfa-error-no-code = この方法ではコードを使用しません。
mfa-error-send-failed = コードを送信できませんでした。もう一度お試しいただくか、別の方法を選択してください。
mfa-error-webauthn = そのセキュリティキーまたはパスキーは受け付けられませんでした。もう一度お試しください。
mfa-error-wrong-code = コードが正しくありません。確認して、もう一度お試しください。

## Errors of the browser's security key or passkey prompt (sign-in and registration).

webauthn-error-cancelled = リクエストがキャンセルされたか、タイムアウトしました。もう一度お試しください。
webauthn-error-registered = この認証器はすでに登録されています。
webauthn-error-failed = ブラウザまたは認証器でこの操作を完了できませんでした。もう一度お試しいただくか、別の方法を選択してください。

## Choosing a sign-in method to add (/u/enroll).

enroll-title = サインイン方法を追加
enroll-heading-required = 2段階認証を設定
enroll-lead-required = このアプリケーションでは、サインイン時に2つ目の確認手順が必要です。本人確認の方法を選択してください。
enroll-lead = 追加する方法を選択してください。
# A link, followed by enroll-passkey-note.
enroll-passkey = パスキー
enroll-passkey-note = （おすすめ：指紋、顔認証、デバイスの PIN）
enroll-security-key = セキュリティキー
enroll-totp = 認証アプリ
enroll-email = メールでコードを受け取る
# A link, followed by enroll-sms-note.
enroll-sms = テキストメッセージでコードを受け取る
enroll-sms-note = — 安全性が最も低い方法です。メッセージは傍受されたり転送されたりするおそれがあります
enroll-verify-button = 確認して有効にする
# The label of the field for the new method's name.
enroll-name-label = 名前
enroll-error-expired = この登録の有効期限が切れました。最初からやり直してください。
enroll-error-not-allowed = このアプリケーションではその方法を使用できません。別の方法を選択してください。
enroll-error-email-proved = メールアドレスでサインインしたため、メールでのコードは2つ目の確認手順になりません。別の方法を選択してください。
enroll-error-channel = 不明な送信方法です。
enroll-error-style = 不明な種類の認証器です。

## Codes by email or text message (/u/enroll/oob).

enroll-oob-title-sms = テキストメッセージでのコードを設定
enroll-oob-title-email = メールでのコードを設定
enroll-oob-heading-sms = テキストメッセージでのコード
enroll-oob-heading-email = メールでのコード
enroll-oob-sms-warning = テキストメッセージは最も安全性の低い確認方法です。傍受されたり、別の SIM に転送されたりするおそれがあります。認証アプリまたはパスキーをおすすめします。
enroll-oob-label-sms = 携帯電話番号
enroll-oob-label-email = メールアドレス
enroll-oob-send = コードを送信
# $target is the email address or phone number; $valid a duration such as "10 minutes".
enroll-oob-sent = { $target } に6桁のコードを送信しました。有効期間は{ $valid }です。
enroll-oob-code-label = コード
enroll-oob-error-sms = 番号を国際形式で入力してください（例：+81 90 1234 5678）。
enroll-oob-error-email = 有効なメールアドレスを入力してください。
enroll-oob-error-code = コードが正しくないか、有効期限が切れています。確認して、もう一度お試しください。
# The names new methods get (the user can rename them on the security page).
enroll-oob-name-sms = 電話
enroll-oob-name-email = メール

## An authenticator app (/u/enroll/totp).

enroll-totp-title = 認証アプリを設定
enroll-totp-lead = 認証アプリでコードをスキャンし、アプリに表示された6桁のコードを入力してください。
enroll-totp-qr = 認証アプリ用の QR コード
enroll-totp-manual = スキャンできない場合は、代わりに次のキーを入力してください：
enroll-totp-open = このデバイスの認証アプリで開く
enroll-totp-code-label = アプリに表示されたコード
# The name a new authenticator app gets unless the user types another.
enroll-totp-name = 認証アプリ
enroll-totp-error = コードが一致しません。デバイスの時刻を確認し、現在のコードを入力してください。

## A passkey or a security key (/u/enroll/webauthn).

enroll-passkey-title = パスキーを作成
enroll-passkey-lead = パスワードの代わりに、指紋、顔認証、デバイスの PIN でサインインできます。パスキーはお使いのデバイスまたはパスワード マネージャーに保存されます。
enroll-passkey-button = パスキーを作成
# The name a new passkey gets unless the user types another.
enroll-passkey-name = パスキー
enroll-key-title = セキュリティキーを追加
enroll-key-lead = パスワードの後の2つ目の確認手順として、ハードウェアキー（YubiKey など）またはお使いのデバイスを使用します。
enroll-key-button = セキュリティキーを追加
# The name a new security key gets unless the user types another.
enroll-key-name = セキュリティキー
enroll-webauthn-noscript = この操作には JavaScript が必要です。無効になっている場合は、別の方法を選択してください。
enroll-webauthn-error = 認証器の応答を確認できませんでした。もう一度お試しください。

## Recovery codes, shown once.

recovery-codes-title = 復旧コードを保存してください
recovery-codes-lead = デバイスを紛失した場合、これらのコードはそれぞれ1回だけサインインに使用できます。表示されるのは今回だけです。安全な場所に保管してください。
recovery-codes-download = テキストファイルとしてダウンロード
recovery-codes-copy = コピー
# Shown on the copy button once the codes are on the clipboard.
recovery-codes-copied = コピーしました
recovery-codes-continue = 保存しました — 続行
# The first lines of the downloaded text file.
recovery-codes-file-heading = { $product } の復旧コード
recovery-codes-file-note = 各コードは1回だけ使用できます。

## The security page (/u/account/security).

security-title = セキュリティ
# $email is the user's email address.
security-signed-in-as = { $email } でサインインしています。
security-verify-first = 変更するには、まず本人確認が必要です。
security-profile = プロフィール
security-sign-out = サインアウト
security-factors = サインイン方法
security-no-factors = 2つ目の認証要素がまだありません。パスワードが盗まれただけではサインインされないよう、追加してください。
security-col-method = 方法
security-col-name = 名前
security-col-added = 追加日時
security-col-last-used = 最終使用日時
security-col-actions = 操作
# After a text message method in the list.
security-least-secure = （安全性が最も低い）
security-kind-passkey = パスキー
security-kind-security-key = セキュリティキー
# Where a passkey or security key lives (shown in parentheses after its kind).
security-note-synced = 他のデバイスと同期済み
security-note-syncable = 同期可能
security-note-device-only = このデバイスのみ
# A date that never happened ("Last used: never").
security-never = なし
# For screen readers. $name is the name of a sign-in method.
security-rename-label = { $name } の新しい名前
security-rename = 名前を変更
# For screen readers. $name is the name of a sign-in method.
security-remove-label = { $name } を削除
security-remove = 削除
security-add-method = サインイン方法を追加
security-recovery = 復旧コード
# $n is a whole number.
security-recovery-left = 未使用の復旧コードが{ $n }個あります。
security-regenerate = 新しいコードを生成（古いコードは使えなくなります）
security-devices = 記憶されたデバイス
security-no-devices = ありません。
security-col-device = デバイス
security-col-remembered = 記憶した日時
security-forget = 記憶を解除
security-links = 連携済みのアカウント
security-col-account = アカウント
security-col-connected = 連携日時
# For screen readers. $account is a connected account's provider, e.g. "Google".
security-disconnect-label = { $account } との連携を解除
security-disconnect = 連携を解除
security-apps = アクセスを許可したアプリ
security-col-app = アプリ
# The column of what an app may do (its scopes).
security-col-can = 許可内容
security-col-since = 許可日時
# For screen readers. $client is an application's name.
security-revoke-label = { $client } のアクセスを削除
security-revoke = アクセスを削除
security-sessions = セッション
security-col-ip = IP アドレス
security-col-started = 開始日時
security-col-last-seen = 最終アクセス
# The assurance level of a session (aal1, aal2…).
security-col-level = レベル
security-col-action = 操作
security-this-session = このセッション
# The button that ends another session.
security-end-session = サインアウト
security-events = 最近のセキュリティ イベント
security-col-when = 日時
security-col-event = イベント
security-col-from = 接続元
security-error-gone = その項目はすでに存在しません。
security-error-empty-name = 名前を空にすることはできません。
security-error-no-factor = 先にサインイン方法を追加してください。復旧コードはそのときに発行されます。
security-error-last-link = これが現在のサインイン方法です。先にプロフィール ページでパスワードを設定してから、連携を解除してください。
security-error-action = 不明な操作です。

## New passwords: the strength meter and the rules (sign-up, reset, profile).

# The strength meter's name, for screen readers.
password-meter-label = パスワードの強度
password-meter-strong = 強力なパスワードです。
password-meter-acceptable = 使用できます。あまり使われない単語をいくつか加えると、さらに強力になります。
# $min is the shortest length allowed, a number.
password-rule-too-short = パスワードは{ $min }文字以上にしてください。
# $max is the longest length allowed, a number.
password-rule-too-long = パスワードは{ $max }文字以下にしてください。
password-rule-unprintable = パスワードに制御文字を含めることはできません。
password-rule-common = このパスワードはよく使われているか、過去に流出したパスワードです。
password-rule-personal = パスワードにメールアドレスや名前を含めることはできません。
password-rule-guessable = パスワードが推測されやすすぎます。あまり使われない単語をいくつか組み合わせると、強力なパスワードになります。

## The security page's recent events: one per audit event kind (kinds without a message
## show as stored). Short, like a log line, in the past tense.

event-login-success = サインイン
event-login-failure = サインイン失敗
event-lockout = 試行回数が多すぎるためサインインを一時停止
event-mfa-challenged = 2 段階目を要求
event-factor-enrolled = サインイン方法を追加
event-factor-removed = サインイン方法を削除
event-factor-renamed = サインイン方法の名前を変更
event-factor-failure = コードまたはセキュリティ キーが正しくありません
event-factor-associated = アプリがサインイン方法を追加
event-recovery-code-used = リカバリー コードを使用
event-recovery-codes-regenerated = 新しいリカバリー コードを作成
event-recovery-codes-removed = リカバリー コードを削除
event-password-changed = パスワードを変更
event-password-change-failed = パスワードの変更を拒否
event-password-reset-requested = パスワードの再設定を要求
event-password-reset-forced = 管理者が新しいパスワードを要求
event-password-rehashed = パスワードの保存方式を更新
event-device-forgotten = 記憶したデバイスを削除
event-session-revoked = セッションを終了
event-session-logout = サインアウト
event-session-ended = セッションを終了
event-signup-success = アカウントを作成
event-magic-link-sent = サインイン リンクを送信
event-stepup-requested = 追加の確認を要求
event-stepup-met = 追加の確認に成功
event-stepup-failed = 追加の確認に失敗
event-consent-granted = アプリを許可
event-consent-denied = アプリを拒否
event-consent-revoked = アプリのアクセスを取り消し
event-token-exchanged = アプリのサービスがあなたの代わりに操作しました
event-ciba-requested = アプリが承認を求めました
event-upstream-linked = アカウントを連携
event-upstream-unlinked = アカウントの連携を解除
event-user-created = アカウントを作成
event-user-updated = アカウント情報を変更
event-user-blocked = アカウントをブロック
event-user-unblocked = アカウントのブロックを解除
event-user-deletion-scheduled = アカウントの削除を予約
event-user-deletion-cancelled = アカウントの削除を取り消し
event-user-email-change-requested = メール アドレスの変更を要求
event-user-email-changed = メール アドレスを変更
event-user-email-verified = メール アドレスを確認
event-user-sessions-ended = すべてのセッションを終了
event-user-role-changed = ロールを変更
event-ticket-created = 設定用リンクを作成
event-ticket-password-change-created = パスワード用リンクを作成
event-ticket-used = 設定用リンクを使用
