//! The seal checks counted by verdict, for the operators' dashboards.

use zegel_attest::Verdict;

/// The count of seal checks per verdict (`zegel_verdicts_total`), each series resolved
/// once at start: a scan finds its counter without hashing labels or taking a lock.
#[derive(Debug, Clone)]
pub struct Verdicts(Vec<(Verdict, platform::telemetry::IntCounter)>);

impl Verdicts {
    /// The counters, registered in `metrics`.
    pub fn counted_in(metrics: &platform::telemetry::Metrics) -> Self {
        let counter = metrics.counter("verdicts_total", "Seal checks by verdict", &["verdict"]);
        Self(Verdict::ALL.iter().map(|v| (*v, counter.with_label_values(&[v.as_str()]))).collect())
    }

    pub(crate) fn count(&self, verdict: Verdict) {
        if let Some((_, counter)) = self.0.iter().find(|(v, _)| *v == verdict) {
            counter.inc();
        }
    }
}
