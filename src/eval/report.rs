//! Evaluation results as JSON, CSV or a table for people.
//!
//! JSON: `{"split", "count", "images": [{"name", "psnr", "ssim", "flip"}...],
//! "mean": {"psnr", "ssim", "flip"}, "skipped": [{"name", "reason"}...],
//! "rescaled": [names]}`. An infinite PSNR (identical images) is `null`.
//! CSV: a `name,psnr,ssim,flip` header, one row per image and a `mean` row; an
//! infinite PSNR is `inf`.

use std::fmt::Write as _;

use serde::Serialize;

use super::EvalReport;
use crate::metrics::ImageMetrics;

#[derive(Serialize)]
struct JsonImage<'a> {
    name: &'a str,
    #[serde(flatten)]
    metrics: ImageMetrics,
}

#[derive(Serialize)]
struct JsonSkipped<'a> {
    name: &'a str,
    reason: &'a str,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    split: &'static str,
    count: usize,
    images: Vec<JsonImage<'a>>,
    mean: Option<ImageMetrics>,
    skipped: Vec<JsonSkipped<'a>>,
    rescaled: Vec<&'a str>,
}

/// The report as a JSON value.
pub fn to_json(report: &EvalReport) -> serde_json::Value {
    let json = JsonReport {
        split: report.split.name(),
        count: report.results.len(),
        images: report
            .results
            .iter()
            .map(|r| JsonImage {
                name: &r.name,
                metrics: r.metrics,
            })
            .collect(),
        mean: report.mean(),
        skipped: report
            .skipped
            .iter()
            .map(|s| JsonSkipped {
                name: &s.name,
                reason: &s.reason,
            })
            .collect(),
        rescaled: rescaled_names(report),
    };
    serde_json::to_value(json).unwrap_or(serde_json::Value::Null)
}

/// The report as CSV: a header, one row per image, a `mean` row.
pub fn to_csv(report: &EvalReport) -> String {
    let mut out = String::from("name,psnr,ssim,flip\n");
    let row = |out: &mut String, name: &str, m: &ImageMetrics| {
        let _ = writeln!(out, "{},{},{},{}", csv_field(name), m.psnr, m.ssim, m.flip);
    };
    for r in &report.results {
        row(&mut out, &r.name, &r.metrics);
    }
    if let Some(mean) = report.mean() {
        row(&mut out, "mean", &mean);
    }
    out
}

/// The report as an aligned table with a summary line.
pub fn to_table(report: &EvalReport) -> String {
    let width = report
        .results
        .iter()
        .map(|r| r.name.len())
        .max()
        .unwrap_or(0)
        .max(4);
    let mut out = format!(
        "{:<width$}  {:>8}  {:>7}  {:>7}\n",
        "name", "PSNR", "SSIM", "FLIP"
    );
    let row = |out: &mut String, name: &str, m: &ImageMetrics| {
        let _ = writeln!(
            out,
            "{name:<width$}  {:>8.3}  {:>7.4}  {:>7.4}",
            m.psnr, m.ssim, m.flip
        );
    };
    for r in &report.results {
        row(&mut out, &r.name, &r.metrics);
    }
    if let Some(mean) = report.mean() {
        row(&mut out, "mean", &mean);
    }
    out += &summary(report);
    out
}

/// "N test views evaluated, M skipped (...), K photos rescaled (...)".
pub fn summary(report: &EvalReport) -> String {
    let mut out = format!("{} evaluated", report.split.views(report.results.len()));
    if !report.skipped.is_empty() {
        let names: Vec<&str> = report.skipped.iter().map(|s| s.name.as_str()).collect();
        let _ = write!(
            out,
            "; {} skipped (no usable photo): {}",
            names.len(),
            names.join(", ")
        );
    }
    let rescaled: Vec<String> = report
        .results
        .iter()
        .filter_map(|r| {
            r.rescaled_from
                .map(|(w, h)| format!("{} from {w}x{h}", r.name))
        })
        .collect();
    if !rescaled.is_empty() {
        let _ = write!(
            out,
            "; {} photo{} rescaled to the camera size: {}",
            rescaled.len(),
            if rescaled.len() == 1 { "" } else { "s" },
            rescaled.join(", ")
        );
    }
    out.push('\n');
    out
}

fn rescaled_names(report: &EvalReport) -> Vec<&str> {
    report
        .results
        .iter()
        .filter(|r| r.rescaled_from.is_some())
        .map(|r| r.name.as_str())
        .collect()
}

/// Quotes a CSV field when it holds a comma, quote or line break (RFC 4180).
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::Split;
    use crate::eval::{ImageResult, SkippedView};

    fn sample() -> EvalReport {
        let result = |name: &str, psnr: f64, rescaled_from| ImageResult {
            name: name.into(),
            metrics: ImageMetrics {
                psnr,
                ssim: 0.5,
                flip: 0.25,
            },
            rescaled_from,
        };
        EvalReport {
            split: Split::Test { every: 8 },
            results: vec![result("a", 20.0, None), result("b,c", 30.0, Some((10, 8)))],
            skipped: vec![SkippedView {
                name: "d".into(),
                reason: "no photo".into(),
            }],
        }
    }

    #[test]
    fn json_shape() {
        let json = to_json(&sample());
        assert_eq!(json["split"], "test");
        assert_eq!(json["count"], 2);
        assert_eq!(
            json["images"][0],
            serde_json::json!({"name": "a", "psnr": 20.0, "ssim": 0.5, "flip": 0.25})
        );
        assert_eq!(
            json["mean"],
            serde_json::json!({"psnr": 25.0, "ssim": 0.5, "flip": 0.25})
        );
        assert_eq!(json["skipped"][0]["name"], "d");
        assert_eq!(json["rescaled"], serde_json::json!(["b,c"]));
        let mut identical = sample();
        identical.results[0].metrics.psnr = f64::INFINITY;
        let json = to_json(&identical);
        assert_eq!(json["images"][0]["psnr"], serde_json::Value::Null);
        assert_eq!(json["mean"]["psnr"], serde_json::Value::Null);
    }

    #[test]
    fn csv_and_table() {
        let csv = to_csv(&sample());
        assert_eq!(
            csv,
            "name,psnr,ssim,flip\na,20,0.5,0.25\n\"b,c\",30,0.5,0.25\nmean,25,0.5,0.25\n"
        );
        let table = to_table(&sample());
        assert!(table.contains("mean    25.000"), "{table}");
        assert!(table.contains("1 skipped (no usable photo): d"), "{table}");
        assert!(
            table.contains("1 photo rescaled to the camera size: b,c from 10x8"),
            "{table}"
        );
    }
}
