//! Exports a month of Zenvia Chat service history as JSON Lines on stdout.
//!
//! ```sh
//! ZCHAT_TOKEN=… cargo run -p cxkit --example zchat_history_export -- 2024-03
//! ```
//! `ZCHAT_BASE_URL` points it at another server (a proxy or the cxkit sandbox).

use chrono::{Months, NaiveDate, TimeZone, Utc};
use cxkit::zchat::{Client, HistoryQuery};
use futures::TryStreamExt;
use std::io::Write;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let month = std::env::args().nth(1).unwrap_or_else(|| "2024-03".into());
    let first = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")?;
    let next = first + Months::new(1);
    let from = Utc.from_utc_datetime(&first.and_hms_opt(0, 0, 0).ok_or("bad date")?);
    let to = Utc.from_utc_datetime(&next.and_hms_opt(0, 0, 0).ok_or("bad date")?)
        - chrono::Duration::seconds(1);

    let client = Client::from_env()?;
    let query = HistoryQuery::new()
        .between(from, to)
        .page_size(5_000)
        .prefetch(true);
    let mut rows = client.history(query);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut count = 0u64;
    while let Some(row) = rows.try_next().await? {
        serde_json::to_writer(&mut out, &row)?;
        out.write_all(b"\n")?;
        count += 1;
    }
    out.flush()?;
    eprintln!("exported {count} rows for {month}");
    Ok(())
}
