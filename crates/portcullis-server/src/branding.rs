//! The customer's brand on the hosted pages and emails: the `[branding]` section.
//!
//! Colours are checked when the server starts: a primary colour white button text cannot be
//! read on, or links cannot be read on the background, is refused (WCAG 2.2 §1.4.3, 4.5:1), so
//! a brand never makes the sign-in unreadable. The logo and favicon are files the server serves
//! itself or `https` addresses the pages' Content-Security-Policy then allows, and nothing else.

use std::path::PathBuf;

use serde::Deserialize;

/// The `[branding]` section.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct BrandingSettings {
    /// The product's name in page titles, headings and emails.
    pub product_name: String,
    /// Buttons, links and focus rings: `#rrggbb`.
    pub primary_color: String,
    /// The page background in light mode (`#rrggbb`); dark mode keeps its own.
    pub background_color: Option<String>,
    /// The logo at the top of every page: an `https://` address…
    pub logo_url: Option<String>,
    /// …or an SVG, PNG, WebP or JPEG file the server serves (at most 512 KiB).
    pub logo_file: Option<PathBuf>,
    /// The favicon: an `https://` address…
    pub favicon_url: Option<String>,
    /// …or a file the server serves (SVG, PNG or ICO, at most 512 KiB).
    pub favicon_file: Option<PathBuf>,
    /// Where a stuck user gets help, linked at the foot of every page.
    pub support_url: Option<String>,
    /// Terms of service, linked at sign-up.
    pub terms_url: Option<String>,
    /// Privacy policy, linked at sign-up and at the foot of every page.
    pub privacy_url: Option<String>,
    /// Origins (`https://cdn.example.com`) applications' logos (`logo_uri`) may come from; the
    /// pages' Content-Security-Policy allows images from these and nowhere else.
    pub image_origins: Vec<String>,
}

impl Default for BrandingSettings {
    fn default() -> Self {
        BrandingSettings {
            product_name: crate::i18n::DEFAULT_PRODUCT.into(),
            primary_color: DEFAULT_PRIMARY.into(),
            background_color: None,
            logo_url: None,
            logo_file: None,
            favicon_url: None,
            favicon_file: None,
            support_url: None,
            terms_url: None,
            privacy_url: None,
            image_origins: Vec::new(),
        }
    }
}

const DEFAULT_PRIMARY: &str = "#3b5bdb";
/// The dark-mode background the pages use whatever the light one is.
const DARK_BACKGROUND: Rgb = Rgb(0x16, 0x18, 0x1d);
/// The largest logo or favicon file served.
const MAX_IMAGE: u64 = 512 * 1024;
/// WCAG 2.2 §1.4.3's minimum contrast for body-size text.
pub const MIN_CONTRAST: f64 = 4.5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Rgb(u8, u8, u8);

impl Rgb {
    fn parse(text: &str) -> Option<Rgb> {
        let hex = text.strip_prefix('#')?;
        if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
        Some(Rgb(byte(0)?, byte(2)?, byte(4)?))
    }

    fn css(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// Relative luminance (WCAG 2.2, "relative luminance").
    fn luminance(self) -> f64 {
        let channel = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(self.0) + 0.7152 * channel(self.1) + 0.0722 * channel(self.2)
    }

    /// `self` moved `share` (0–1) of the way to `other`, per sRGB channel (CSS `color-mix` in srgb).
    fn mix(self, other: Rgb, share: f64) -> Rgb {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let m = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * share).round() as u8;
        Rgb(m(self.0, other.0), m(self.1, other.1), m(self.2, other.2))
    }
}

/// The contrast ratio of two colours, 1 to 21.
fn contrast(a: Rgb, b: Rgb) -> f64 {
    let (x, y) = (a.luminance(), b.luminance());
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

const WHITE: Rgb = Rgb(0xff, 0xff, 0xff);
const BLACK: Rgb = Rgb(0, 0, 0);

/// An image the server serves itself.
#[derive(Debug, Clone)]
pub struct Image {
    /// Its `Content-Type`.
    pub content_type: &'static str,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// The brand as the pages use it, resolved and checked once at start.
#[derive(Debug, Clone)]
pub struct Brand {
    /// The product's name.
    pub product: String,
    /// Custom properties for the pages' style sheet (light and dark).
    pub css: String,
    /// The logo's `src`, if any.
    pub logo: Option<String>,
    /// The favicon's `href`, if any.
    pub favicon: Option<String>,
    /// Help link.
    pub support_url: Option<String>,
    /// Terms of service.
    pub terms_url: Option<String>,
    /// Privacy policy.
    pub privacy_url: Option<String>,
    /// Origins (`https://host`) images may come from besides this server.
    pub image_origins: Vec<String>,
    /// The logo file, served at [`LOGO_PATH`].
    pub logo_file: Option<Image>,
    /// The favicon file, served at [`FAVICON_PATH`].
    pub favicon_file: Option<Image>,
}

/// Where a logo file is served.
pub const LOGO_PATH: &str = "/u/assets/brand/logo";
/// Where a favicon file is served.
pub const FAVICON_PATH: &str = "/u/assets/brand/favicon";

impl Default for Brand {
    fn default() -> Self {
        Brand::resolve(&BrandingSettings::default()).unwrap_or_else(|_| Brand {
            product: crate::i18n::DEFAULT_PRODUCT.into(),
            css: String::new(),
            logo: None,
            favicon: None,
            support_url: None,
            terms_url: None,
            privacy_url: None,
            image_origins: Vec::new(),
            logo_file: None,
            favicon_file: None,
        })
    }
}

fn https_url(key: &str, value: &str) -> Result<url::Url, String> {
    let url = url::Url::parse(value).map_err(|_| format!("`branding.{key}` is not a URL"))?;
    let local = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    if url.scheme() == "https" || (url.scheme() == "http" && local) {
        Ok(url)
    } else {
        Err(format!(
            "`branding.{key}` must be an https address (http only for localhost)"
        ))
    }
}

fn read_image(key: &str, path: &std::path::Path, allowed: &[&str]) -> Result<Image, String> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let content_type = match ext.as_str() {
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "webp" => "image/webp",
        "jpg" | "jpeg" => "image/jpeg",
        "ico" => "image/x-icon",
        _ => "",
    };
    if content_type.is_empty() || !allowed.contains(&ext.as_str()) {
        return Err(format!(
            "`branding.{key}`: a {} file",
            allowed.join(", ").to_uppercase()
        ));
    }
    let meta = std::fs::metadata(path).map_err(|e| format!("`branding.{key}`: {e}"))?;
    if meta.len() > MAX_IMAGE {
        return Err(format!("`branding.{key}`: larger than 512 KiB"));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("`branding.{key}`: {e}"))?;
    Ok(Image {
        content_type,
        bytes,
    })
}

impl Brand {
    /// An application's logo address if the pages may show it: `https` (http only for
    /// localhost) on one of the image origins, so the Content-Security-Policy lets it load.
    pub fn check_logo(&self, uri: &str) -> Result<String, String> {
        if uri.len() > 2048 {
            return Err("too long".into());
        }
        let url = https_url("logo_uri", uri)
            .map_err(|_| "must be an https address (http only for localhost)".to_string())?;
        let origin = url.origin().ascii_serialization();
        if !self.image_origins.contains(&origin) {
            return Err(format!(
                "{origin} is not one of the tenant's image origins ([branding] image_origins)"
            ));
        }
        Ok(url.to_string())
    }

    /// Checks the settings and works out what the pages need.
    pub fn resolve(s: &BrandingSettings) -> Result<Brand, String> {
        let product = s.product_name.trim();
        if product.is_empty()
            || product.chars().count() > 64
            || product.chars().any(char::is_control)
        {
            return Err("`branding.product_name`: 1 to 64 printable characters".into());
        }
        let primary = Rgb::parse(&s.primary_color)
            .ok_or("`branding.primary_color`: a colour written #rrggbb")?;
        let background = match &s.background_color {
            Some(c) => {
                Some(Rgb::parse(c).ok_or("`branding.background_color`: a colour written #rrggbb")?)
            }
            None => None,
        };
        let on_primary = contrast(primary, WHITE);
        if on_primary < MIN_CONTRAST {
            return Err(format!(
                "`branding.primary_color` {}: white button text on it has a contrast of {on_primary:.2}:1, below {MIN_CONTRAST}:1 — choose a darker colour",
                primary.css()
            ));
        }
        let light_bg = background.unwrap_or(WHITE);
        let links = contrast(primary, light_bg);
        if links < MIN_CONTRAST {
            return Err(format!(
                "`branding.primary_color` {} on `branding.background_color` {}: links have a contrast of {links:.2}:1, below {MIN_CONTRAST}:1",
                primary.css(),
                light_bg.css()
            ));
        }
        // Body text: whichever of black and white reads better on the background.
        let text = if contrast(BLACK, light_bg) >= contrast(WHITE, light_bg) {
            Rgb(0x11, 0x18, 0x27)
        } else {
            WHITE
        };
        // Dark mode: links are the primary colour lightened until they read on the dark
        // background (buttons keep it: white on it was checked above).
        let mut dark_link = primary;
        let mut share: f64 = 0.0;
        while contrast(dark_link, DARK_BACKGROUND) < MIN_CONTRAST && share < 1.0 {
            share += 0.1;
            dark_link = primary.mix(WHITE, share.min(1.0));
        }
        let mut css = format!(
            ":root {{ --accent: {}; --link: {}; }}\n",
            primary.css(),
            primary.css()
        );
        if let Some(bg) = background {
            css.push_str(&format!(
                "@media (prefers-color-scheme: light) {{ body {{ background: {}; color: {}; }} }}\n",
                bg.css(),
                text.css()
            ));
        }
        css.push_str(&format!(
            "@media (prefers-color-scheme: dark) {{ :root {{ --link: {}; }} body {{ background: {}; color: #e8e8ea; }} }}\n",
            dark_link.css(),
            DARK_BACKGROUND.css()
        ));
        let mut image_origins = Vec::new();
        for origin in &s.image_origins {
            let url = https_url("image_origins", origin)?;
            let serialized = url.origin().ascii_serialization();
            if url.path() != "/"
                || url.query().is_some()
                || serialized != origin.trim_end_matches('/')
            {
                return Err(format!(
                    "`branding.image_origins`: `{origin}` is not an origin (scheme, host and port only)"
                ));
            }
            image_origins.push(serialized);
        }
        let mut source = |key: &str,
                          url: &Option<String>,
                          file: &Option<PathBuf>,
                          path: &str,
                          allowed: &[&str]|
         -> Result<(Option<String>, Option<Image>), String> {
            match (url, file) {
                (Some(_), Some(_)) => Err(format!(
                    "`branding.{key}_url` and `branding.{key}_file`: set one"
                )),
                (Some(u), None) => {
                    let parsed = https_url(&format!("{key}_url"), u)?;
                    image_origins.push(parsed.origin().ascii_serialization());
                    Ok((Some(parsed.to_string()), None))
                }
                (None, Some(f)) => Ok((
                    Some(path.to_string()),
                    Some(read_image(&format!("{key}_file"), f, allowed)?),
                )),
                (None, None) => Ok((None, None)),
            }
        };
        let (logo, logo_file) = source(
            "logo",
            &s.logo_url,
            &s.logo_file,
            LOGO_PATH,
            &["svg", "png", "webp", "jpg", "jpeg"],
        )?;
        let (favicon, favicon_file) = source(
            "favicon",
            &s.favicon_url,
            &s.favicon_file,
            FAVICON_PATH,
            &["svg", "png", "ico"],
        )?;
        let link = |key: &str, v: &Option<String>| -> Result<Option<String>, String> {
            v.as_deref()
                .map(|u| https_url(key, u).map(|u| u.to_string()))
                .transpose()
        };
        Ok(Brand {
            product: product.to_string(),
            css,
            logo,
            favicon,
            support_url: link("support_url", &s.support_url)?,
            terms_url: link("terms_url", &s.terms_url)?,
            privacy_url: link("privacy_url", &s.privacy_url)?,
            image_origins,
            logo_file,
            favicon_file,
        })
    }
}

/// `GET /u/assets/brand/logo` and `/favicon`: the configured files (404 without one).
pub async fn image(
    axum::extract::State(state): axum::extract::State<crate::state::AppState>,
    axum::extract::Path(which): axum::extract::Path<String>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let brand = state.brand();
    let file = match which.as_str() {
        "logo" => brand.logo_file.as_ref(),
        "favicon" => brand.favicon_file.as_ref(),
        _ => None,
    };
    match file {
        Some(img) => (
            [
                (axum::http::header::CONTENT_TYPE, img.content_type),
                (axum::http::header::CACHE_CONTROL, "public, max-age=3600"),
                // An SVG opened on its own runs no script and loads nothing.
                (
                    axum::http::header::CONTENT_SECURITY_POLICY,
                    "default-src 'none'; style-src 'unsafe-inline'; sandbox",
                ),
            ],
            img.bytes.clone(),
        )
            .into_response(),
        None => axum::http::StatusCode::NOT_FOUND.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contrast_matches_wcag_examples() {
        assert!((contrast(BLACK, WHITE) - 21.0).abs() < 1e-9);
        assert!((contrast(WHITE, WHITE) - 1.0).abs() < 1e-9);
        // #767676 on white is the classic 4.54:1 grey.
        let grey = Rgb::parse("#767676").unwrap_or(BLACK);
        assert!((contrast(grey, WHITE) - 4.54).abs() < 0.01);
    }

    #[test]
    fn unreadable_pairs_are_refused_and_readable_ones_styled() {
        let with = |primary: &str, bg: Option<&str>| {
            Brand::resolve(&BrandingSettings {
                primary_color: primary.into(),
                background_color: bg.map(str::to_string),
                ..BrandingSettings::default()
            })
        };
        let err = with("#ffcc00", None).expect_err("yellow under white text");
        assert!(err.contains("contrast of 1."), "{err}");
        let err = with("#1d4ed8", Some("#1e3a8a")).expect_err("blue links on navy");
        assert!(err.contains("links"), "{err}");
        assert!(with("#1d4ed8", Some("#f8fafc")).is_ok());
        assert!(with("red", None).is_err());
        let brand = with("#0b6e4f", Some("#f5f0e6")).expect("readable");
        assert!(brand.css.contains("--accent: #0b6e4f"));
        assert!(brand.css.contains("background: #f5f0e6"));
        // Dark mode lightens the links until they read on the dark background.
        let dark = brand
            .css
            .split("--link: ")
            .nth(2)
            .and_then(|s| s.get(..7))
            .and_then(Rgb::parse)
            .expect("dark link colour");
        assert!(contrast(dark, DARK_BACKGROUND) >= MIN_CONTRAST);
    }

    #[test]
    fn images_come_from_https_or_a_small_file() {
        let err = Brand::resolve(&BrandingSettings {
            logo_url: Some("http://cdn.example/logo.svg".into()),
            ..BrandingSettings::default()
        })
        .expect_err("plain http");
        assert!(err.contains("https"), "{err}");
        let brand = Brand::resolve(&BrandingSettings {
            logo_url: Some("https://cdn.example/a/logo.svg".into()),
            ..BrandingSettings::default()
        })
        .expect("https");
        assert_eq!(brand.image_origins, ["https://cdn.example"]);
        let dir = tempfile::tempdir().expect("tempdir");
        let big = dir.path().join("logo.png");
        std::fs::write(&big, vec![0u8; 600 * 1024]).expect("write");
        let err = Brand::resolve(&BrandingSettings {
            logo_file: Some(big),
            ..BrandingSettings::default()
        })
        .expect_err("too big");
        assert!(err.contains("512 KiB"), "{err}");
        let gif = dir.path().join("logo.gif");
        std::fs::write(&gif, b"GIF89a").expect("write");
        assert!(
            Brand::resolve(&BrandingSettings {
                logo_file: Some(gif),
                ..BrandingSettings::default()
            })
            .is_err()
        );
    }
}
