//! The floor a client's CPU cost is measured against: fetch every page of a zchat history
//! period and only check that each body is valid JSON (`serde::de::IgnoredAny`): no types, no
//! output. `cargo xtask bench` runs it beside the `cxkit` CLI and a Python script against the
//! same pre-rendered pages and compares their CPU time.
//!
//! ```sh
//! cargo run --release -p cxkit --example json_floor -- http://127.0.0.1:8080/zchat TOKEN 2024-01-01T00:00:00 2024-04-01T23:59:59 10000
//! ```

use serde::de::IgnoredAny;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, base, token, from, to, limit] = args.as_slice() else {
        return Err("usage: json_floor <base_url> <token> <from> <to> <limit>".into());
    };
    let limit: u64 = limit.parse()?;
    let http = reqwest::Client::new();
    let (mut rows, mut page) = (0_u64, 1_u64);
    loop {
        let query = [
            ("token", token.as_str()),
            ("from", from),
            ("to", to),
            ("limit", &limit.to_string()),
            ("page", &page.to_string()),
        ];
        let response = http
            .get(format!("{base}/history"))
            .query(&query)
            .send()
            .await?;
        let body = response.error_for_status()?.bytes().await?;
        // One pass validates the whole body and counts `data`'s elements (the last page is
        // the first short one); every value is skipped, never built.
        let count = page_rows(&body)?;
        rows += count;
        if count < limit {
            break;
        }
        page += 1;
    }
    println!("{rows}");
    Ok(())
}

/// The length of the body's `data` array, every element and other field skipped as
/// `IgnoredAny` (serde_json still checks that they are valid JSON).
fn page_rows(body: &[u8]) -> Result<u64, serde_json::Error> {
    #[derive(serde::Deserialize)]
    struct Envelope {
        data: Counted,
    }
    struct Counted(u64);
    impl<'de> serde::Deserialize<'de> for Counted {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct Visitor;
            impl<'de> serde::de::Visitor<'de> for Visitor {
                type Value = Counted;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("an array")
                }
                fn visit_seq<A: serde::de::SeqAccess<'de>>(
                    self,
                    mut seq: A,
                ) -> Result<Counted, A::Error> {
                    let mut n = 0;
                    while seq.next_element::<IgnoredAny>()?.is_some() {
                        n += 1;
                    }
                    Ok(Counted(n))
                }
            }
            d.deserialize_seq(Visitor)
        }
    }
    serde_json::from_slice::<Envelope>(body).map(|e| e.data.0)
}
