//! Time, injected so tests can fix it (signed fixtures never expire), and typed: points in time
//! are [`Timestamp`]s, spans (tolerances, TTLs) are [`Duration`]s, so a count of seconds cannot
//! be passed where milliseconds are meant.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// A point in time, to the millisecond, counted from the Unix epoch. Conversions and arithmetic
/// saturate at the ends of the range instead of wrapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    pub const fn from_unix_millis(ms: i64) -> Self {
        Self(ms)
    }

    pub const fn from_unix_seconds(s: i64) -> Self {
        Self(s.saturating_mul(1000))
    }

    pub const fn unix_millis(self) -> i64 {
        self.0
    }

    /// Whole seconds, rounded down (DynamoDB TTL attributes, signed timestamps).
    pub const fn unix_seconds(self) -> i64 {
        self.0.div_euclid(1000)
    }

    pub fn saturating_add(self, span: Duration) -> Self {
        let ms = i64::try_from(span.as_millis()).unwrap_or(i64::MAX);
        Self(self.0.saturating_add(ms))
    }

    /// RFC 3339 with an offset, as an instant at millisecond precision (sub-millisecond digits
    /// truncated).
    pub fn parse_rfc3339(raw: &str) -> Option<Self> {
        let t = OffsetDateTime::parse(raw, &Rfc3339).ok()?;
        i64::try_from(t.unix_timestamp_nanos().div_euclid(1_000_000))
            .ok()
            .map(Self)
    }

    /// RFC 3339 UTC, milliseconds only when there are any (`2026-11-28T12:00:00.123Z`).
    pub fn to_rfc3339(self) -> String {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.0) * 1_000_000)
            .ok()
            .and_then(|t| t.format(&Rfc3339).ok())
            .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_owned())
    }
}

pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}

#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        let ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        Timestamp(ms)
    }
}

#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub Timestamp);

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_convert_and_saturate() {
        let t = Timestamp::from_unix_millis(1_795_867_200_123);
        assert_eq!(t.unix_seconds(), 1_795_867_200);
        assert_eq!(Timestamp::from_unix_millis(-1).unix_seconds(), -1);
        assert_eq!(Timestamp::from_unix_seconds(2).unix_millis(), 2000);
        assert_eq!(
            t.saturating_add(Duration::from_secs(1)).unix_millis(),
            1_795_867_201_123
        );
        assert_eq!(
            Timestamp::from_unix_seconds(i64::MAX).saturating_add(Duration::MAX),
            Timestamp::from_unix_millis(i64::MAX)
        );
    }

    #[test]
    fn rfc3339_formatting() {
        assert_eq!(
            Timestamp::from_unix_millis(1_795_867_200_000).to_rfc3339(),
            "2026-11-28T12:00:00Z"
        );
        assert_eq!(
            Timestamp::from_unix_millis(1_795_867_200_123).to_rfc3339(),
            "2026-11-28T12:00:00.123Z"
        );
    }
}
