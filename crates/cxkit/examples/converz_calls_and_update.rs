//! Streams a day of Converz conversations and tags the long ones with a bulk update.
//!
//! ```sh
//! CONVERZ_API_KEY=… CONVERZ_BASE_URL=https://acme.converz.co/api/v1 \
//!   cargo run -p cxkit --example converz_calls_and_update -- 2025-07-15
//! ```

use chrono::NaiveDate;
use cxkit::converz::{CallQuery, Client, Update};
use futures::TryStreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let day: NaiveDate = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "2025-07-15".into())
        .parse()?;
    let client = Client::from_env()?;

    // Pages of 100,000 rows are decoded row by row: memory holds one row at a time.
    let query = CallQuery::new()
        .start_date(day)
        .end_date(day)
        .page_size(100_000)
        .prefetch(true);
    let mut calls = client.calls(query);
    let mut long_calls = Vec::new();
    let mut total = 0u64;
    while let Some(call) = calls.try_next().await? {
        total += 1;
        let duration = call
            .extra
            .get("duration")
            .and_then(|d| d.as_f64())
            .unwrap_or(0.0);
        if duration > 600.0 {
            long_calls.push(call.call_id);
        }
    }
    println!(
        "{total} conversations on {day}, {} over 10 minutes",
        long_calls.len()
    );

    // Columnar: only the `long_call` column of these rows changes; nothing else is nulled.
    let n = long_calls.len();
    if n == 0 {
        return Ok(());
    }
    let update = Update::keyed_by_call_id(long_calls).column("long_call", vec![true; n]);
    let report = client
        .update_calls_with_progress(&update, |p| {
            eprintln!(
                "chunk {}/{}: {}/{} rows",
                p.chunk + 1,
                p.chunks,
                p.rows_done,
                p.rows_total
            )
        })
        .await?;
    if let Some(error) = report.error() {
        eprintln!(
            "stopped: {error}; rows not applied: {:?}",
            report.rows_not_applied()
        );
    }
    Ok(())
}
