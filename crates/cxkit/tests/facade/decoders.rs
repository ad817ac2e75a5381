//! No bytes a server sends make a decoder panic: the streaming row splitter, the webhook
//! parser, the generated row types and the runtime's body helpers answer random input with a
//! value or a typed error. A valid array decodes to the same rows however it is chunked.

use bytes::Bytes;
use cxkit::converz::Call;
use cxkit::json_rows::decode_rows;
use cxkit::Secret;
use futures::StreamExt;
use proptest::prelude::*;
use serde_json::Value;
use std::time::SystemTime;

/// Splits `body` after each of `cuts` (taken modulo its length), as a network would.
fn chunks(body: &[u8], cuts: &[usize]) -> Vec<Result<Bytes, std::io::Error>> {
    let mut at: Vec<usize> = cuts.iter().map(|c| c % (body.len() + 1)).collect();
    at.extend([0, body.len()]);
    at.sort_unstable();
    at.dedup();
    at.windows(2)
        .map(|w| Ok(Bytes::copy_from_slice(&body[w[0]..w[1]])))
        .collect()
}

/// Every item the decoded stream yields, errors included, as it yields them (bounded: a
/// stream that kept yielding past its body would show as more items than the body has bytes).
fn decode<T: serde::de::DeserializeOwned + Send + 'static>(
    body: &[u8],
    cuts: &[usize],
) -> Vec<Result<T, String>> {
    let stream = decode_rows::<T, _, _>(futures::stream::iter(chunks(body, cuts)));
    let items = futures::executor::block_on(stream.take(body.len() + 2).collect::<Vec<_>>());
    items
        .into_iter()
        .map(|item| item.map_err(|e| e.reason))
        .collect()
}

/// Whether an error, if any, is the last item: a decoder that went on after failing (rows
/// after a broken one, a second error) fails this.
fn ends_at_its_first_error<T>(items: &[Result<T, String>]) -> bool {
    items
        .iter()
        .position(Result::is_err)
        .is_none_or(|first| first + 1 == items.len())
}

fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-1e12f64..1e12).prop_map(Value::from),
        any::<String>().prop_map(Value::from),
        Just(Value::from("a \"quoted\" [bracket] {brace}, \\ backslash")),
    ];
    leaf.prop_recursive(3, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::from),
            prop::collection::btree_map("[a-z_]{1,10}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Bytes that look like a JSON array of rows, then possibly damaged.
fn almost_rows() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::collection::vec(json(), 0..6),
        prop::option::of((any::<prop::sample::Index>(), any::<u8>())),
        any::<bool>(),
    )
        .prop_map(|(rows, damage, truncate)| {
            let mut bytes = serde_json::to_vec(&rows).expect("serialisable");
            if let Some((at, byte)) = damage {
                let i = at.index(bytes.len());
                bytes[i] = byte;
            }
            if truncate {
                bytes.truncate(bytes.len() / 2);
            }
            bytes
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1_000, ..ProptestConfig::default() })]

    #[test]
    fn the_row_splitter_never_panics_on_any_bytes(
        body in prop_oneof![prop::collection::vec(any::<u8>(), 0..256), almost_rows()],
        cuts in prop::collection::vec(any::<usize>(), 0..8),
    ) {
        let values = decode::<Value>(&body, &cuts);
        let calls = decode::<Call>(&body, &cuts);
        // Each item is either a row or the one error that ends the stream.
        prop_assert!(ends_at_its_first_error(&values), "{values:?}");
        prop_assert!(ends_at_its_first_error(&calls));
        prop_assert!(values.len() <= body.len() + 1);
    }

    #[test]
    fn a_valid_array_decodes_to_the_same_rows_however_it_is_chunked(
        rows in prop::collection::vec(json(), 0..8),
        cuts in prop::collection::vec(any::<usize>(), 0..12),
    ) {
        let body = serde_json::to_vec(&rows).expect("serialisable");
        let decoded: Result<Vec<Value>, String> = decode::<Value>(&body, &cuts).into_iter().collect();
        prop_assert_eq!(decoded, Ok(rows));
    }

    #[test]
    fn webhook_parsing_and_the_runtime_body_helpers_never_panic(
        body in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..256),
            json().prop_map(|v| v.to_string().into_bytes()),
        ],
        max in 0usize..64,
        status in 100u16..600,
        header in any::<String>(),
        at in any::<prop::sample::Index>(),
    ) {
        let _ = cxkit::conversion::webhook::parse(&body);
        let _ = serde_json::from_slice::<cxkit::zchat::HistoryRow>(&body);
        let _ = serde_json::from_slice::<cxkit::converz::Rep>(&body);
        let excerpt = cxkit_runtime::excerpt(&body, max);
        prop_assert!(excerpt.len() <= max + '…'.len_utf8(), "{}", excerpt.len());
        let secret = Secret::new("s3cr3t-value-123");
        let text = String::from_utf8_lossy(&body);
        let redacted = cxkit_runtime::redact(&format!("{text}s3cr3t-value-123"), &[&secret]);
        prop_assert!(!redacted.contains("s3cr3t-value-123"));
        let status = reqwest::StatusCode::from_u16(status).expect("in range");
        // The secret planted anywhere in the body, as a server echoing a request would.
        let split = at.index(body.len() + 1);
        let planted = [&body[..split], b"s3cr3t-value-123", &body[split..]].concat();
        let message = cxkit_runtime::normalize::failure_message(status, &planted, &[&secret]);
        prop_assert!(!message.contains("s3cr3t-value-123"), "{message}");
        let _ = cxkit_runtime::parse_retry_after(&header, SystemTime::now());
        let _ = cxkit_runtime::parse_rate_limit_reset(&header, SystemTime::now());
    }
}
