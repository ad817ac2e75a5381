//! Reads one Converz `/calls` page and prints its row count: `streaming` through cxkit (rows
//! decoded as they arrive) or `buffered` through the generated client (whole body, then
//! decode). `cargo xtask bench` runs both under `/usr/bin/time -v` to compare peak RSS.
//!
//! ```sh
//! cargo run --release -p cxkit --example calls_memory -- streaming http://127.0.0.1:8080/converz/api/v1 KEY 1000000
//! ```

use futures::TryStreamExt;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, mode, base, key, rows] = args.as_slice() else {
        return Err(
            "usage: calls_memory <streaming|buffered> <base_url> <api_key> <n_per_page>".into(),
        );
    };
    let rows: u64 = rows.parse()?;
    let count = match mode.as_str() {
        "streaming" => {
            let client = cxkit::converz::Client::builder()
                .base_url(base)
                .api_key(key.as_str())
                .build()?;
            let query = cxkit::converz::CallQuery::new().page_size(rows);
            client
                .calls(query)
                .try_fold(0u64, |n, _| async move { Ok(n + 1) })
                .await?
        }
        "buffered" => {
            let client = converz_api::Client::new(base, converz_api::context(key.as_str()));
            let page = client.list_calls().n_per_page(rows).send().await?;
            page.len() as u64
        }
        other => return Err(format!("unknown mode {other}").into()),
    };
    println!("{count}");
    Ok(())
}
