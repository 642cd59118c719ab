//! Dates for people (the security page) and for APIs (ISO 8601 in the management API).

/// Year, month, day, hour, minute, second of a UTC timestamp.
fn civil(at: i64) -> (i64, i64, i64, i64, i64, i64) {
    let days = at.div_euclid(86_400);
    let secs = at.rem_euclid(86_400);
    // Civil date from days since the epoch (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d, secs / 3600, secs % 3600 / 60, secs % 60)
}

/// Days since the epoch of a civil date (the inverse of [`civil`]).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// A chart's bucket: `11-24` by day, `21:00` by hour (UTC).
pub fn bucket(at: i64, by_day: bool) -> String {
    let (_, m, d, h, _, _) = civil(at);
    if by_day {
        format!("{m:02}-{d:02}")
    } else {
        format!("{h:02}:00")
    }
}

/// `2026-11-24 21:05 UTC`.
pub fn when(at: Option<i64>) -> String {
    let Some(at) = at else {
        return "never".into();
    };
    let (y, m, d, h, mi, _) = civil(at);
    format!("{y:04}-{m:02}-{d:02} {h:02}:{mi:02} UTC")
}

/// `2026-11-24T21:05:00.000Z`, as Auth0's APIs write times.
pub fn iso8601(at: i64) -> String {
    let (y, m, d, h, mi, s) = civil(at);
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}.000Z")
}

/// Reads a time given as seconds since the epoch or as an ISO 8601 UTC date or date-time
/// (`2026-11-24`, `2026-11-24T21:05:00Z`, with optional fraction).
pub fn parse_time(text: &str) -> Option<i64> {
    if let Ok(n) = text.parse::<i64>() {
        return Some(n);
    }
    let (date, time) = match text.split_once('T') {
        Some((d, t)) => (d, Some(t.strip_suffix('Z')?)),
        None => (text, None),
    };
    let mut parts = date.splitn(3, '-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let d: i64 = parts.next()?.parse().ok()?;
    if date.len() != 10 || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let mut secs = 0;
    if let Some(t) = time {
        let t = t.split('.').next()?;
        let hms: Vec<i64> = t
            .split(':')
            .map(|p| p.parse().ok())
            .collect::<Option<_>>()?;
        let [h, mi, s] = hms[..] else { return None };
        if t.len() != 8 || h > 23 || mi > 59 || s > 60 {
            return None;
        }
        secs = h * 3600 + mi * 60 + s;
    }
    Some(days_from_civil(y, m, d) * 86_400 + secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn when_formats_utc_dates() {
        assert_eq!(when(Some(0)), "1970-01-01 00:00 UTC");
        assert_eq!(when(Some(1_795_557_900)), "2026-11-24 22:05 UTC");
        assert_eq!(when(Some(951_782_400)), "2000-02-29 00:00 UTC");
        assert_eq!(when(None), "never");
    }

    #[test]
    fn iso8601_round_trips() {
        assert_eq!(iso8601(1_795_557_907), "2026-11-24T22:05:07.000Z");
        for at in [0, 951_782_400, 1_795_557_907, 4_102_444_799] {
            assert_eq!(parse_time(&iso8601(at)), Some(at));
        }
        assert_eq!(parse_time("2000-02-29"), Some(951_782_400));
        assert_eq!(parse_time("2026-11-24T22:05:07Z"), Some(1_795_557_907));
        assert_eq!(parse_time("1795557907"), Some(1_795_557_907));
        for bad in [
            "",
            "2026-13-01",
            "2026-11-24T25:00:00Z",
            "2026-11-24T22:05Z",
            "yesterday",
        ] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }
}
