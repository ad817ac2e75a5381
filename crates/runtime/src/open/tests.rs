use super::*;
use serde_json::json;

#[derive(Debug, serde::Deserialize, PartialEq)]
struct Known {
    call_id: i64,
    #[serde(rename = "repId")]
    rep_id: Option<String>,
}

const ROW: &str = r#"{"call_id": 7, "score": 4.50, "at": "2024-02-24T08:23:11.000Z",
    "name": "Jos\u00e9", "repId": "r1", "nested": {"a": [1, 2.0]}, "n": null}"#;

fn split_str(text: &str) -> serde_json::Result<(Known, OpenMap)> {
    split(&mut serde_json::Deserializer::from_str(text), |name| {
        matches!(name, "call_id" | "repId")
    })
}

#[test]
fn named_members_are_typed_and_the_rest_keep_their_text() {
    let (known, extra) = split_str(ROW).unwrap();
    assert_eq!(
        known,
        Known {
            call_id: 7,
            rep_id: Some("r1".into())
        }
    );
    let names: Vec<&str> = extra.keys().collect();
    assert_eq!(names, ["score", "at", "name", "nested", "n"]);
    assert_eq!(extra.get("score").unwrap().json(), "4.50");
    assert_eq!(
        extra.get("at").unwrap().json(),
        r#""2024-02-24T08:23:11.000Z""#
    );
    assert_eq!(extra.get("name").unwrap().json(), r#""Jos\u00e9""#);
    assert_eq!(extra.get("name").unwrap(), "José");
    assert_eq!(
        extra.get("nested").unwrap().to_value(),
        json!({"a": [1, 2.0]})
    );
    assert!(extra.get("n").unwrap().is_null());
    assert!(
        extra.get("call_id").is_none(),
        "typed members are not open ones"
    );
}

#[test]
fn re_encoding_writes_every_value_as_sent() {
    let (_, extra) = split_str(ROW).unwrap();
    assert_eq!(
        serde_json::to_string(&extra).unwrap(),
        r#"{"score":4.50,"at":"2024-02-24T08:23:11.000Z","name":"Jos\u00e9","nested":{"a": [1, 2.0]},"n":null}"#
    );
    // Into a `Value` (serde_json's own raw-value path), the same values.
    assert_eq!(serde_json::to_value(&extra).unwrap()["score"], 4.5);
}

#[test]
fn every_serde_json_input_lends_the_text_and_serdes_buffers_still_decode() {
    let bytes = ROW.as_bytes();
    let from_slice: OpenMap = serde_json::from_slice(bytes).unwrap();
    let from_reader: OpenMap = serde_json::from_reader(bytes).unwrap();
    let from_value: OpenMap = serde_json::from_value(serde_json::from_str(ROW).unwrap()).unwrap();
    for map in [&from_slice, &from_reader] {
        assert_eq!(map.get("score").unwrap().json(), "4.50", "as sent");
    }
    assert_eq!(from_value.get("score").unwrap(), 4.5);

    // An untagged enum buffers its input in serde's own form: re-encoded, same values.
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Either {
        #[allow(dead_code)]
        Number(i64),
        Open(OpenMap),
    }
    let Ok(Either::Open(buffered)) = serde_json::from_str::<Either>(ROW) else {
        panic!("the object is the open branch");
    };
    assert_eq!(buffered, from_slice);
    assert_eq!(from_value, from_slice);
}

#[test]
fn escaped_names_read_unescaped() {
    let map: OpenMap = serde_json::from_str(r#"{"caf\u00e9": 1, "plain": 2}"#).unwrap();
    assert_eq!(map.get("café").unwrap(), 1);
    assert_eq!(map.keys().collect::<Vec<_>>(), ["café", "plain"]);
    assert_eq!(
        serde_json::to_string(&map).unwrap(),
        r#"{"café":1,"plain":2}"#
    );
}

#[test]
fn bad_input_is_a_typed_error_not_a_panic() {
    for (text, words) in [
        ("5", "expected a JSON object"),
        ("[1]", "expected a JSON object"),
        (r#"{"repId": "r"}"#, "missing field `call_id`"),
        (r#"{"call_id": "seven"}"#, "`call_id`: invalid type: string"),
        (r#"{"call_id": 7"#, "EOF"),
    ] {
        let error = split_str(text).unwrap_err().to_string();
        assert!(error.contains(words), "{text}: {error}");
        assert!(
            error.matches(" line ").count() <= 1,
            "one position: {error}"
        );
    }
}

#[test]
fn a_map_written_by_hand_reads_and_writes_like_a_map() {
    let mut map: OpenMap = [("a".to_owned(), json!(1)), ("b".to_owned(), json!("x"))]
        .into_iter()
        .collect();
    map.insert("a", json!([true]));
    assert_eq!(map.len(), 2);
    assert_eq!(map.get("a").unwrap(), json!([true]));
    assert_eq!(map.remove("b").unwrap(), "x");
    assert!(map.remove("b").is_none());
    assert!(!map.contains_key("b"));
    assert_eq!(serde_json::to_string(&map).unwrap(), r#"{"a":[true]}"#);
    assert_eq!(
        map.to_map(),
        json!({"a": [true]}).as_object().unwrap().clone()
    );
    assert_eq!(format!("{map:?}"), r#"{"a": [true]}"#);
    assert_eq!(OpenMap::from(map.to_map()), map);
}

#[test]
fn equality_is_by_value_like_a_maps() {
    let a: OpenMap = serde_json::from_str(r#"{"x": 1.0, "y": "\u00e9"}"#).unwrap();
    let b: OpenMap = serde_json::from_str(r#"{"y": "é", "x": 1.00}"#).unwrap();
    let c: OpenMap = serde_json::from_str(r#"{"y": "é", "x": 2}"#).unwrap();
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn a_name_sent_twice_reads_as_its_last_value_and_is_written_twice() {
    let map: OpenMap = serde_json::from_str(r#"{"a": 1, "a": 2}"#).unwrap();
    assert_eq!(map.get("a").unwrap(), 2);
    assert_eq!(serde_json::to_string(&map).unwrap(), r#"{"a":1,"a":2}"#);
}

#[test]
fn an_open_value_reads_as_what_it_holds() {
    let map: OpenMap = serde_json::from_str(
        r#"{"s": "a\"b", "i": -7, "u": 18446744073709551615, "f": 2.50, "t": true, "n": null}"#,
    )
    .unwrap();
    let get = |name| map.get(name).unwrap();
    assert_eq!(get("s").as_str().as_deref(), Some("a\"b"));
    assert_eq!(get("i").as_str(), None, "a number is not a string");
    assert_eq!(get("i").as_i64(), Some(-7));
    assert_eq!(get("i").as_u64(), None);
    assert_eq!(get("u").as_u64(), Some(u64::MAX));
    assert_eq!(get("f").as_f64(), Some(2.5));
    assert_eq!(get("s").as_f64(), None);
    assert_eq!(get("t").as_bool(), Some(true));
    assert_eq!(get("n").as_bool(), None);
    assert!(get("n").is_null() && !get("t").is_null());
    assert_eq!(get("f").to_string(), "2.50", "Display is the text as sent");
    assert_eq!(get("f"), map.get("f").unwrap());
    assert_ne!(get("f"), get("i"));
    assert!(!map.is_empty() && OpenMap::new().is_empty());
    assert!(map.contains_key("t") && !map.contains_key("x"));
    let tree =
        serde_json::json!({"s": "a\"b", "i": -7, "u": u64::MAX, "f": 2.5, "t": true, "n": null});
    assert_eq!(Value::from(map.clone()), tree);
    assert_eq!(Map::from(map), *tree.as_object().unwrap());
}

#[test]
fn an_owned_open_value_keeps_its_text_and_compares_by_value() {
    let text = r#"{"id": "a1", "score": 4.50}"#;
    let agent: OpenJson = serde_json::from_str(text).unwrap();
    assert_eq!(agent.json(), text);
    assert_eq!(agent.to_string(), text);
    assert_eq!(format!("{agent:?}"), text);
    assert_eq!(serde_json::to_string(&agent).unwrap(), text);
    assert_eq!(agent.to_value(), json!({"id": "a1", "score": 4.5}));
    assert_eq!(agent, OpenJson::from(json!({"score": 4.5, "id": "a1"})));
    assert_ne!(agent, OpenJson::from(json!({"id": "a2"})));
    assert_eq!(agent, json!({"id": "a1", "score": 4.5}));
    assert_eq!(Value::from(agent.clone()), agent.to_value());
    assert!(!agent.is_null() && OpenJson::default().is_null());
    assert_eq!(
        agent.as_open().parse::<Map<String, Value>>().unwrap().len(),
        2
    );
}

#[test]
fn open_values_describe_themselves_as_the_trees_they_replace() {
    // The published JSON Schemas of the generated types do not change.
    assert_eq!(
        schemars::schema_for!(OpenMap),
        schemars::schema_for!(Map<String, Value>)
    );
    assert_eq!(
        schemars::schema_for!(OpenJson),
        schemars::schema_for!(Value)
    );
    #[derive(schemars::JsonSchema)]
    #[allow(dead_code)]
    struct Row {
        id: i64,
        data: OpenMap,
        any: OpenJson,
        #[serde(flatten)]
        extra: OpenMap,
    }
    #[derive(schemars::JsonSchema)]
    #[allow(dead_code)]
    struct Before {
        id: i64,
        data: Map<String, Value>,
        any: Value,
        #[serde(flatten)]
        extra: Map<String, Value>,
    }
    let (row, before) = (schemars::schema_for!(Row), schemars::schema_for!(Before));
    assert_eq!(
        serde_json::to_value(&row.schema).unwrap()["properties"],
        serde_json::to_value(&before.schema).unwrap()["properties"]
    );
    assert_eq!(
        row.definitions.keys().collect::<Vec<_>>(),
        before.definitions.keys().collect::<Vec<_>>()
    );
}
