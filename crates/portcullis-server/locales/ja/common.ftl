## Shared by every page: the language's own name (shown in the language picker), the picker,
## waits, lifetimes and dates, and the generic pages.

language-name = 日本語
language-picker = 言語
language-picker-go = 言語を変更
locale-unknown = その言語は利用できません。

## Waits and lifetimes ("Try again in { $wait }"); $n is a whole number.

duration-seconds = { $n }秒
duration-minutes = { $n }分
duration-hours = { $n }時間
duration-days = { $n }日

## Dates: $day is a number, $year is text, $month is one of the month names below.

date = { $year }年{ $month }{ $day }日
date-time = { $date } { $time } UTC
month-1 = 1月
month-2 = 2月
month-3 = 3月
month-4 = 4月
month-5 = 5月
month-6 = 6月
month-7 = 7月
month-8 = 8月
month-9 = 9月
month-10 = 10月
month-11 = 11月
month-12 = 12月

## Signing out ($product is the product's name, e.g. "Portcullis").

logout-title = サインアウト
logout-heading = サインアウトしますか？
logout-lead = このデバイスで { $product } からサインアウトします。
logout-button = サインアウト

## Generic pages.

error-heading = 問題が発生しました
error-csrf = フォームの有効期限が切れたか、フォームが別のサイトから送信されました。前のページに戻って、もう一度お試しください。
signed-out-heading = サインアウトしました
signed-out-text = サインアウトしました。このウィンドウは閉じてかまいません。
# $wait is a duration such as "2 minutes".
error-throttled = 試行回数が多すぎます。{ $wait }後にもう一度お試しください。

## The brand's links at the foot of every page and at sign-up.

brand-support = ヘルプ
brand-privacy = プライバシーポリシー
brand-terms = 利用規約
# Before the links to the terms of service and the privacy policy, at sign-up.
signup-agree = アカウントを作成すると、次の内容に同意したことになります:

# A form or address carried a field twice (a broken or forged request). $name is the field's name.
error-field-repeated = フォームから項目「{ $name }」が複数回送信されました。前のページに戻って、もう一度お試しください。
