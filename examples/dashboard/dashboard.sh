#!/bin/sh
# A support dashboard's MFA actions with nothing but curl: what an app built on Auth0's
# Management API does (see the README), against Portcullis's management API.
#
#   PORTCULLIS_URL=http://localhost:8080 PORTCULLIS_CLIENT_ID=portcullis-admin \
#   PORTCULLIS_CLIENT_SECRET=… sh dashboard.sh COMMAND …
#
#   status USER_ID            the user (with user_metadata) and their enrolments
#   enroll USER_ID [EMAIL]    a single-use enrolment link; emailed when EMAIL is given
#   remove ENROLLMENT_ID      removes a factor (the user's sessions end, they get an email)
#   metadata USER_ID [JSON]   reads user_metadata, or merges JSON into it
#   sessions USER_ID          the user's live sessions
#   signout USER_ID           ends them all (apps hear by back-channel logout)
set -eu
: "${PORTCULLIS_URL:?}" "${PORTCULLIS_CLIENT_ID:?}" "${PORTCULLIS_CLIENT_SECRET:?}"
api="$PORTCULLIS_URL/api/v2"

token=$(curl -fsS "$PORTCULLIS_URL/oauth/token" \
  --data-urlencode grant_type=client_credentials \
  --data-urlencode "client_id=$PORTCULLIS_CLIENT_ID" \
  --data-urlencode "client_secret=$PORTCULLIS_CLIENT_SECRET" \
  --data-urlencode "audience=$api/" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
[ -n "$token" ] || { echo "no management token" >&2; exit 1; }

call() { # METHOD PATH [JSON]
  if [ $# -ge 3 ]; then
    curl -fsS -X "$1" -H "Authorization: Bearer $token" -H 'content-type: application/json' \
      --data "$3" "$api$2"
  else
    curl -fsS -X "$1" -H "Authorization: Bearer $token" "$api$2"
  fi
  echo
}

command="${1:-}"
[ $# -gt 0 ] && shift
case "$command" in
  status) call GET "/users/$1"; call GET "/users/$1/enrollments" ;;
  enroll)
    if [ $# -ge 2 ]; then
      call POST /guardian/enrollments/ticket "{\"user_id\":\"$1\",\"send_mail\":true,\"email\":\"$2\"}"
    else
      call POST /guardian/enrollments/ticket "{\"user_id\":\"$1\",\"send_mail\":false}"
    fi ;;
  remove) call DELETE "/guardian/enrollments/$1" ;;
  metadata)
    if [ $# -ge 2 ]; then
      call PATCH "/users/$1" "{\"user_metadata\":$2}"
    else
      call GET "/users/$1"
    fi ;;
  sessions) call GET "/users/$1/sessions" ;;
  signout) call DELETE "/users/$1/sessions" ;;
  *) sed -n '2,14s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
esac
