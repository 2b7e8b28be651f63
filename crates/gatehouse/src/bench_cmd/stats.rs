//! What a measurement records and how it is summarized: every completed request's latency (a
//! sorted vector gives exact percentiles; a 10-second run at tens of thousands of requests per
//! second is a few megabytes), and the failures by HTTP status or kind.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use serde::Serialize;

/// How one request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A 2xx answer whose body was as expected.
    Ok,
    /// An answer with a status other than 2xx.
    Status(u16),
    /// No usable answer: `transport` (connection or protocol error), `timeout`, or `body-size`
    /// (a GET whose body was not the object's size).
    Failed(&'static str),
}

/// One worker's record of its requests; workers' records are merged at the end.
#[derive(Debug, Default)]
pub struct Recorder {
    latencies_us: Vec<u32>,
    ok: u64,
    errors: BTreeMap<String, u64>,
}

impl Recorder {
    /// Records one completed request.
    pub fn record(&mut self, outcome: Outcome, latency: Duration) {
        self.latencies_us
            .push(u32::try_from(latency.as_micros()).unwrap_or(u32::MAX));
        match outcome {
            Outcome::Ok => self.ok += 1,
            Outcome::Status(status) => *self.errors.entry(status.to_string()).or_default() += 1,
            Outcome::Failed(kind) => *self.errors.entry(kind.to_owned()).or_default() += 1,
        }
    }

    /// Adds `other`'s requests to this record.
    pub fn merge(&mut self, other: Recorder) {
        self.latencies_us.extend(other.latencies_us);
        self.ok += other.ok;
        for (k, n) in other.errors {
            *self.errors.entry(k).or_default() += n;
        }
    }

    /// The summary of a measurement of `elapsed` wall time.
    pub fn summarize(mut self, op: &str, elapsed: Duration) -> Summary {
        self.latencies_us.sort_unstable();
        let lat = &self.latencies_us;
        let requests = lat.len() as u64;
        let secs = elapsed.as_secs_f64();
        let total_us: u64 = lat.iter().map(|&us| u64::from(us)).sum();
        Summary {
            op: op.to_owned(),
            requests,
            ok: self.ok,
            errors: self.errors,
            elapsed_s: round(secs, 3),
            requests_per_s: if secs > 0.0 {
                round(as_f64(requests) / secs, 1)
            } else {
                0.0
            },
            latency_ms: Latency {
                p50: ms(percentile(lat, 50.0)),
                p90: ms(percentile(lat, 90.0)),
                p99: ms(percentile(lat, 99.0)),
                max: ms(lat.last().copied().unwrap_or(0)),
                mean: if requests == 0 {
                    0.0
                } else {
                    round(as_f64(total_us) / as_f64(requests) / 1000.0, 3)
                },
            },
        }
    }
}

/// Latency percentiles in milliseconds, over every completed request (failures included, as
/// `wrk` does; the error counts say how many failed).
#[derive(Debug, Clone, Serialize)]
pub struct Latency {
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Slowest request.
    pub max: f64,
    /// Arithmetic mean.
    pub mean: f64,
}

/// The result of one measurement (one operation against one target).
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// The operation: `GET`, `PUT`, `AssumeRole`.
    pub op: String,
    /// Completed requests, successful or not.
    pub requests: u64,
    /// Requests answered 2xx with the expected body.
    pub ok: u64,
    /// Failed requests by HTTP status (`"403"`) or kind (`"transport"`, `"timeout"`,
    /// `"body-size"`).
    pub errors: BTreeMap<String, u64>,
    /// Wall time from the first request sent to the last answer received.
    pub elapsed_s: f64,
    /// Completed requests per second of wall time.
    pub requests_per_s: f64,
    /// Latency percentiles.
    pub latency_ms: Latency,
}

impl Summary {
    /// Failed requests, all kinds together.
    pub fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }

    /// The human form: three or four indented lines under a heading.
    pub fn render(&self, heading: &str) -> String {
        let l = &self.latency_ms;
        let mut out = format!(
            "{heading}\n  requests  {} in {:.2} s: {} ok, {} failed  =>  {:.1} req/s\n  latency   p50 {:.3} ms  p90 {:.3} ms  p99 {:.3} ms  max {:.3} ms  mean {:.3} ms\n",
            self.requests,
            self.elapsed_s,
            self.ok,
            self.error_count(),
            self.requests_per_s,
            l.p50,
            l.p90,
            l.p99,
            l.max,
            l.mean,
        );
        if !self.errors.is_empty() {
            let list: Vec<String> = self
                .errors
                .iter()
                .map(|(k, n)| format!("{k}: {n}"))
                .collect();
            let _ = writeln!(out, "  errors    {}", list.join(", "));
        }
        out
    }
}

/// The nearest-rank percentile of sorted `values` (0 when empty).
fn percentile(sorted: &[u32], p: f64) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (p / 100.0 * as_f64(sorted.len() as u64)).ceil();
    // `rank` is in 0..=len, so the conversion is exact.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let rank = rank as usize;
    sorted[rank.saturating_sub(1).min(sorted.len() - 1)]
}

/// A count as a float (exact below 2^53, far beyond any request count here).
#[allow(clippy::cast_precision_loss)]
fn as_f64(n: u64) -> f64 {
    n as f64
}

fn ms(us: u32) -> f64 {
    round(f64::from(us) / 1000.0, 3)
}

fn round(x: f64, digits: i32) -> f64 {
    let scale = 10f64.powi(digits);
    (x * scale).round() / scale
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<u32> = (1..=100).collect();
        assert_eq!(percentile(&v, 50.0), 50);
        assert_eq!(percentile(&v, 99.0), 99);
        assert_eq!(percentile(&v, 100.0), 100);
        assert_eq!(percentile(&[7], 50.0), 7);
        assert_eq!(percentile(&[], 50.0), 0);
    }

    #[test]
    fn summary_counts_errors_by_status() {
        let mut a = Recorder::default();
        a.record(Outcome::Ok, Duration::from_millis(1));
        a.record(Outcome::Status(403), Duration::from_millis(3));
        let mut b = Recorder::default();
        b.record(Outcome::Failed("timeout"), Duration::from_millis(2));
        b.record(Outcome::Status(403), Duration::from_micros(500));
        a.merge(b);
        let s = a.summarize("GET", Duration::from_secs(2));
        assert_eq!(s.requests, 4);
        assert_eq!(s.ok, 1);
        assert_eq!(s.error_count(), 3);
        assert_eq!(s.errors["403"], 2);
        assert_eq!(s.errors["timeout"], 1);
        assert!((s.requests_per_s - 2.0).abs() < 1e-9);
        assert!((s.latency_ms.p50 - 1.0).abs() < 1e-9);
        assert!((s.latency_ms.max - 3.0).abs() < 1e-9);
    }
}
