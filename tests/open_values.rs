//! Open values (the members a spec leaves open, `{}` schemas, free-form objects) are kept as
//! the text the vendor sent: typed rows re-encode byte for byte, and no number is rounded
//! on the way through.

use serde::{de::DeserializeOwned, Serialize};

/// Decodes `text` as `T` and encodes it again.
fn round_trip<T: DeserializeOwned + Serialize>(text: &str) -> String {
    let typed: T = serde_json::from_str(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    serde_json::to_string(&typed).unwrap()
}

/// Spellings a `serde_json::Value` would change: trailing zeros, exponents, escapes, a
/// number past `u64` (rounded to an `f64` by a `Value`), a negative zero.
const SPELLINGS: &str = r#""score":4.50,"weight":1E3,"name":"Jos\u00e9 \/ Ana","big":123456789012345678901234567890,"delta":-0,"at":"2024-02-24T08:23:11.000Z""#;

#[test]
fn a_converz_call_re_encodes_byte_for_byte() {
    // Typed members first, as the type writes them; every other column as sent.
    let row = format!(
        r#"{{"call_id":7,"rep_id":"r1",{SPELLINGS},"sentiment":{{"agent":0.810, "label":"positive"}}}}"#
    );
    assert_eq!(round_trip::<converz_api::types::Call>(&row), row);
    let page = format!("[{row},{row}]");
    assert_eq!(round_trip::<converz_api::types::CallList>(&page), page);
    let rep = format!(r#"{{"rep_id":"r1",{SPELLINGS}}}"#);
    assert_eq!(round_trip::<converz_api::types::Rep>(&rep), rep);
}

#[test]
fn open_members_keep_numbers_a_value_tree_would_round() {
    let row = format!(r#"{{"call_id":7,{SPELLINGS}}}"#);
    let call: converz_api::types::Call = serde_json::from_str(&row).unwrap();
    let big = call.extra.get("big").unwrap();
    assert_eq!(big.json(), "123456789012345678901234567890");
    let as_value: serde_json::Value = serde_json::from_str(&row).unwrap();
    assert_ne!(
        as_value["big"].to_string(),
        big.json(),
        "a Value rounds it (which is why open values stay text)"
    );
    assert_eq!(call.extra.get("name").unwrap(), "José / Ana");
    assert_eq!(
        call.extra.get("score").unwrap().parse::<f64>().unwrap(),
        4.5
    );
}

#[test]
fn zchat_rows_keep_their_open_members_and_any_value_fields_as_sent() {
    use zchat_api::types::{ExpandedHistoryRow, HistoryRow};
    let row = format!(r#"{{"id":"h1","queue_id":7,{SPELLINGS}}}"#);
    assert_eq!(round_trip::<HistoryRow>(&row), row);
    // `agent`, `department` and `tags` are `{}` in the spec: any JSON, kept as text.
    let expanded = r#"{"agent":{"id":"a1","score":4.50},"department":"Suporte \u00e9","id":"h2","tags":["vip",1E3]}"#;
    assert_eq!(round_trip::<ExpandedHistoryRow>(expanded), expanded);
    let typed: ExpandedHistoryRow = serde_json::from_str(expanded).unwrap();
    assert_eq!(typed.agent.unwrap().to_value()["id"], "a1");
}

#[test]
fn conversion_free_form_objects_and_unknown_members_keep_their_text() {
    let fixture = include_str!("fixtures/conversion/prospect.json");
    let mut prospect: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(fixture).unwrap();
    prospect.remove("additionalData");
    let head = serde_json::to_string(&prospect).unwrap();
    let text = format!(
        r#"{},"additionalData":{{"rendaMensal":"1.500,00","score":87.0,"big":123456789012345678901234567890}},"customScore":1E2}}"#,
        &head[..head.len() - 1]
    );
    let again = round_trip::<conversion_api::types::Prospect>(&text);
    for kept in [
        r#""additionalData":{"rendaMensal":"1.500,00","score":87.0,"big":123456789012345678901234567890}"#,
        r#""customScore":1E2"#,
    ] {
        assert!(again.contains(kept), "{kept} in {again}");
    }
}

#[test]
fn open_structs_decode_inside_serdes_buffers_too() {
    // A row-wise update is one branch of an untagged enum: serde buffers it before trying
    // the branches, so its open members are re-encoded from the buffer, with their values.
    use converz_api::types::{CallUpdate, RowWiseCallUpdate};
    let body = r#"[{"call_id":1,"campaign":"A","score":4.50},{"call_id":2,"campaign":"B"}]"#;
    let CallUpdate::RowWiseCallUpdate(RowWiseCallUpdate(rows)) =
        serde_json::from_str(body).unwrap()
    else {
        panic!("a row-wise update");
    };
    assert_eq!(rows[0].extra.get("campaign").unwrap(), "A");
    assert_eq!(rows[0].extra.get("score").unwrap(), 4.5);
    assert_eq!(rows[1].call_id, 2);
}
