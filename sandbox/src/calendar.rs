//! Calendar arithmetic for billing periods: adding days, weeks, months and years to a
//! Unix timestamp in UTC, with month ends clamped (Jan 31 + 1 month = Feb 28/29) as
//! Stripe's billing does.

/// Seconds in one day.
pub const DAY: i64 = 86_400;

/// A recurring price's interval unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Interval {
    /// A day.
    Day,
    /// Seven days.
    Week,
    /// A calendar month.
    Month,
    /// A calendar year.
    Year,
}

impl Interval {
    /// Parses Stripe's `recurring[interval]`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "day" => Some(Self::Day),
            "week" => Some(Self::Week),
            "month" => Some(Self::Month),
            "year" => Some(Self::Year),
            _ => None,
        }
    }
}

/// `timestamp` moved forward by `count` intervals.
pub fn add_interval(timestamp: i64, interval: Interval, count: i64) -> i64 {
    match interval {
        Interval::Day => timestamp.saturating_add(count.saturating_mul(DAY)),
        Interval::Week => timestamp.saturating_add(count.saturating_mul(7 * DAY)),
        Interval::Month => add_months(timestamp, count),
        Interval::Year => add_months(timestamp, count.saturating_mul(12)),
    }
}

fn add_months(timestamp: i64, months: i64) -> i64 {
    let days = timestamp.div_euclid(DAY);
    let seconds_of_day = timestamp.rem_euclid(DAY);
    let (year, month, day) = civil_from_days(days);
    let total = year
        .saturating_mul(12)
        .saturating_add(month - 1)
        .saturating_add(months);
    let (new_year, new_month) = (total.div_euclid(12), total.rem_euclid(12) + 1);
    let new_day = day.min(days_in_month(new_year, new_month));
    days_from_civil(new_year, new_month, new_day)
        .saturating_mul(DAY)
        .saturating_add(seconds_of_day)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's `days_from_civil` and `civil_from_days`, proleptic Gregorian calendar.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds_calendar_intervals_with_month_end_clamping() {
        // 2024-01-31T12:00:00Z.
        let jan_31 = 1_706_702_400;
        let cases = [
            (Interval::Month, 1, 1_709_208_000), // 2024-02-29T12:00:00Z (leap year)
            (Interval::Month, 2, 1_711_886_400), // 2024-03-31T12:00:00Z
            (Interval::Year, 1, 1_738_324_800),  // 2025-01-31T12:00:00Z
            (Interval::Week, 1, jan_31 + 7 * DAY),
            (Interval::Day, 3, jan_31 + 3 * DAY),
        ];
        for (interval, count, expected) in cases {
            assert_eq!(
                add_interval(jan_31, interval, count),
                expected,
                "{interval:?} x{count}"
            );
        }
    }
}
