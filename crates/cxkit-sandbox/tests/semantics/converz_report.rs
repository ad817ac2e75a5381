//! The fake Converz report aggregates what its calls hold.

use super::converz_client;
use cxkit::converz::ReportQuery;
use cxkit_sandbox::Sandbox;

#[tokio::test]
async fn report_averages_keep_one_decimal_and_match_the_totals() {
    let s = Sandbox::start().await.unwrap();
    let query = ReportQuery::new().group_by(["campaign"]).metrics([
        "n_calls",
        "avg_duration",
        "total_duration",
    ]);
    let rows = converz_client(&s).report(&query).await.unwrap();
    assert_eq!(rows.len(), 4, "one row per seeded campaign");
    let mut fractional = 0;
    for row in &rows {
        let row = serde_json::to_value(row).unwrap();
        let n = row["n_calls"].as_f64().unwrap();
        let total = row["total_duration"].as_f64().unwrap();
        let avg = row["avg_duration"].as_f64().unwrap();
        assert!(n > 0.0, "{row}");
        assert_eq!(avg, ((total / n) * 10.0).round() / 10.0, "{row}");
        if avg.fract() != 0.0 {
            fractional += 1;
        }
    }
    assert!(fractional > 0, "some average has a decimal: {rows:?}");
}
