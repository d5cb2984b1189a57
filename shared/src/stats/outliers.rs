//! Outlier marking by the modified z-score (Iglewicz & Hoaglin 1993, "How to Detect and Handle
//! Outliers", ASQC): `M_i = 0.6745 (x_i − median) / MAD`; `|M_i| > 3.5` marks an outlier.
//! Outliers are reported next to the data, never silently dropped.

use super::median;

/// The threshold on |modified z| recommended by Iglewicz & Hoaglin.
pub const MODIFIED_Z_THRESHOLD: f64 = 3.5;

/// Marks each value: `true` where it is an outlier. When the MAD is zero (more than half the
/// values equal), any value different from the median is marked.
pub fn mark(values: &[f64]) -> Vec<bool> {
    let Some(med) = median(values) else {
        return vec![false; values.len()];
    };
    let dev: Vec<f64> = values.iter().map(|x| (x - med).abs()).collect();
    let mad = median(&dev).unwrap_or(0.0);
    values
        .iter()
        .map(|&x| {
            if !x.is_finite() {
                true
            } else if mad == 0.0 {
                x != med
            } else {
                (0.6745 * (x - med) / mad).abs() > MODIFIED_Z_THRESHOLD
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_the_spike_only() {
        let v = [100.0, 102.0, 98.0, 101.0, 99.0, 100.5, 250.0];
        let m = mark(&v);
        assert_eq!(m, vec![false, false, false, false, false, false, true]);
    }

    #[test]
    fn nothing_marked_in_tight_data() {
        assert!(mark(&[1.0, 1.1, 0.9, 1.05, 0.95]).iter().all(|m| !m));
        assert!(mark(&[]).is_empty());
    }
}
