//! Durations written like `2s`, `5m`, `12h`, `7d` (one number, one unit).

use std::time::Duration;

pub fn parse(input: &str) -> Result<Duration, String> {
    let err = || format!("`{input}` is not a duration: write it like 2s, 5m, 12h or 7d");
    let s = input.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).ok_or_else(err)?;
    let (number, unit) = s.split_at(split);
    let n: u64 = number.parse().map_err(|_| err())?;
    let seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(err()),
    };
    n.checked_mul(seconds)
        .map(Duration::from_secs)
        .ok_or_else(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units() {
        assert_eq!(parse("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse("7d"), Ok(Duration::from_secs(7 * 86_400)));
        for bad in ["", "5", "m", "5 m", "5w", "-1s", "1.5h"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
