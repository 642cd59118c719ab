//! OAuth 2.0 building blocks: PKCE, scopes, redirect URI rules.

pub mod pkce;

/// Splits a space-delimited scope string (RFC 6749 §3.3) into distinct values, keeping order.
pub fn split_scope(scope: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in scope.split(' ').filter(|s| !s.is_empty()) {
        if !out.iter().any(|o| o == s) {
            out.push(s.to_string());
        }
    }
    out
}

/// Joins scope values with single spaces.
pub fn join_scope(scopes: &[String]) -> String {
    scopes.join(" ")
}

/// Whether a redirect URI is acceptable for registration: absolute, no fragment (RFC 6749
/// §3.1.2), and https unless it is a loopback or localhost address or a private-use scheme.
pub fn valid_redirect_uri(uri: &str) -> bool {
    let Ok(parsed) = url::Url::parse(uri) else {
        return false;
    };
    if parsed.fragment().is_some() {
        return false;
    }
    match parsed.scheme() {
        "https" => true,
        "http" => matches!(
            parsed.host_str(),
            Some("localhost") | Some("127.0.0.1") | Some("[::1]")
        ),
        scheme => scheme.contains('.'), // RFC 8252 §7.1 private-use URI schemes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_split_dedups_and_skips_empty() {
        assert_eq!(split_scope("openid  email openid"), vec!["openid", "email"]);
    }

    #[test]
    fn redirect_uri_rules() {
        assert!(valid_redirect_uri("https://app.example.com/cb"));
        assert!(valid_redirect_uri(
            "http://localhost:3000/api/auth/callback/portcullis"
        ));
        assert!(!valid_redirect_uri("http://app.example.com/cb"));
        assert!(!valid_redirect_uri("https://app.example.com/cb#x"));
        assert!(!valid_redirect_uri("not a uri"));
        assert!(valid_redirect_uri("com.example.app:/cb"));
    }
}
