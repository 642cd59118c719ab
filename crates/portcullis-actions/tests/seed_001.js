exports.onExecutePostLogin = async (event, api) => {
const grantType = event.request?.body?.grant_type;
if (grantType === 'refresh_token') {
// Check if user has enrolled factors
const enrolledFactors = event.user.multifactor || [];
if (enrolledFactors.length > 0) {
// Challenge with all available factor types
api.authentication.challengeWithAny([
{ type: 'otp' },
{ type: 'phone' },
{ type: 'email' },
{ type: 'push-notification' },
{ type: 'recovery-code' }
]);
} else {
// Prompt enrollment if no factors exist
api.authentication.enrollWithAny([
{ type: 'otp' },
{ type: 'phone' },
{ type: 'email' },
{ type: 'push-notification' }
]);
}
}
};
