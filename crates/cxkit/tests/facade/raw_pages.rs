//! The zchat page walker behind every zchat export (`raw::zchat_page`): for random pages, with
//! escapes, any unicode, numbers too big for an f64, members before and after `data`, compact or
//! pretty, its rows are the rows a `serde_json::Value` decode of the page finds, each one line,
//! numbers spelled as sent. Failures are kept in `proptest-regressions/`.

use bytes::Bytes;
use proptest::prelude::*;
use serde_json::Value;

fn scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("null".to_owned()),
        any::<bool>().prop_map(|b| b.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        "[1-9][0-9]{20,30}".prop_map(|n| n), // too big for u64 or an f64's digits
        (-1e15f64..1e15).prop_map(|f| format!("{f:?}")),
        Just("1.50".to_owned()),
        Just("-0.0e-3".to_owned()),
        any::<String>().prop_map(|s| Value::String(s).to_string()),
        Just(r#""\u00e9\ud83d\ude00 \"q\" \\ \/ \n\t""#.to_owned()),
    ]
}

/// A row: an object with an `id` and a few members, some nested.
fn row() -> impl Strategy<Value = String> {
    (
        any::<String>(),
        prop::collection::btree_map("[a-z_\\u{e9}]{1,8}", scalar(), 0..5),
        prop::option::of(prop::collection::vec(scalar(), 0..3)),
        prop::sample::select(vec!["", " ", "\n  ", "\r\n\t"]),
    )
        .prop_map(|(id, members, list, gap)| {
            let mut out = format!("{{{gap}\"id\":{gap}{}", Value::String(id));
            for (name, value) in members {
                out.push_str(&format!(",{gap}{}:{gap}{value}", Value::String(name)));
            }
            if let Some(list) = list {
                out.push_str(&format!(
                    ",{gap}\"nested\":{gap}{{\"l\":[{}]}}",
                    list.join(&format!(",{gap}"))
                ));
            }
            out.push_str(gap);
            out.push('}');
            out
        })
}

fn page() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(row(), 0..6),
        prop::sample::select(vec!["", " ", "\n", "\n    "]),
        any::<bool>(),
    )
        .prop_map(|(rows, gap, extra)| {
            let before = if extra {
                format!("\"status\":{gap}200,{gap}")
            } else {
                String::new()
            };
            let after = if extra {
                format!(",{gap}\"note\":{gap}{{\"x\":[1,{gap}\"]\"]}}")
            } else {
                String::new()
            };
            format!(
                "{{{gap}{before}\"success\":true,{gap}\"data\":{gap}[{}{gap}]{after}{gap}}}",
                rows.join(&format!(",{gap}"))
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn raw_page_rows_are_the_rows_of_a_value_decode(body in page()) {
        let page: Value = serde_json::from_str(&body).expect("the strategy writes JSON");
        let expected = page["data"].as_array().expect("data").clone();
        let rows = cxkit::raw::zchat_page(&Bytes::from(body.clone())).expect("a valid page");
        prop_assert_eq!(rows.len(), expected.len());
        for (row, value) in rows.iter().zip(&expected) {
            let bytes = row.as_bytes();
            prop_assert!(!bytes.contains(&b'\n') && !bytes.contains(&b'\r'), "one line");
            let parsed: Value = serde_json::from_slice(bytes).expect("a row is JSON");
            prop_assert_eq!(&parsed, value);
        }
        // Numbers keep the vendor's spelling: every big integer and odd spelling of the page
        // (they only occur in rows) is in the rows' text as often as in the body.
        let rows_text: String = rows.iter().map(|r| String::from_utf8_lossy(r.as_bytes()).into_owned()).collect();
        let mut spelled: Vec<&str> = body.split(|c: char| !c.is_ascii_digit()).filter(|d| d.len() > 20).collect();
        spelled.extend(["1.50", "-0.0e-3"]);
        for token in spelled {
            prop_assert_eq!(rows_text.matches(token).count(), body.matches(token).count(), "{}", token);
        }
    }

    #[test]
    fn a_damaged_page_is_an_error_never_a_panic(body in page(), at in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let mut bytes = body.into_bytes();
        let i = at.index(bytes.len());
        bytes[i] = byte;
        let _ = cxkit::raw::zchat_page(&Bytes::from(bytes));
    }
}
