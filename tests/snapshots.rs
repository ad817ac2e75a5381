//! Snapshots of everything derived from `specs/`: (a) the generated source of each API crate,
//! (b) the JSON Schema of every generated type, (c) the vendor docs' example payloads parsed
//! and serialized back. A spec change shows up here as a reviewable diff; accept it with
//! `cargo xtask regen`.

use cxkit_tests::{fixture, round_trip, spec};
use std::collections::BTreeMap;

/// Snapshots the client and mock source rendered for `name` exactly as its crate's build.rs does.
fn snapshot_sources(name: &str) {
    let spec = spec(name);
    let client = cxkit_codegen::render_client(&spec).expect("client renders");
    insta::assert_snapshot!(format!("{name}_client_source"), client);
    let mocks = cxkit_codegen::render_mocks(&spec, "crate").expect("mocks render");
    insta::assert_snapshot!(format!("{name}_mock_source"), mocks);
}

/// Snapshots the JSON Schema of every generated type, keyed by type name.
fn snapshot_schemas(name: &str, schemas: Vec<(&'static str, schemars::schema::RootSchema)>) {
    assert!(!schemas.is_empty());
    let by_name: BTreeMap<_, _> = schemas.into_iter().collect();
    insta::assert_json_snapshot!(format!("{name}_type_schemas"), by_name);
}

/// Parses a fixture as `T`, checks the round trip is lossless, snapshots the typed value.
fn snapshot_fixture<T>(relative: &str)
where
    T: serde::de::DeserializeOwned + serde::Serialize + std::fmt::Debug,
{
    let parsed: T = round_trip(&fixture(relative));
    let name = relative.trim_end_matches(".json").replace(['/', '.'], "_");
    insta::assert_debug_snapshot!(format!("fixture_{name}"), parsed);
}

/// The source and schema snapshots every API crate gets.
macro_rules! api_snapshots {
    ($name:literal, $krate:ident) => {
        #[test]
        fn generated_source() {
            snapshot_sources($name);
        }

        #[test]
        fn type_schemas() {
            snapshot_schemas($name, $krate::json_schemas());
        }
    };
}

mod zchat {
    use super::*;
    use zchat_api::types;

    api_snapshots!("zchat", zchat_api);

    #[test]
    fn seed_examples_round_trip() {
        snapshot_fixture::<types::ReportsPage>("zchat/reports.seed.json");
        snapshot_fixture::<types::HistoryPage>("zchat/history.seed.json");
        snapshot_fixture::<types::OngoingPage>("zchat/ongoing.seed.json");
        snapshot_fixture::<types::ErrorEnvelope>("zchat/error.seed.json");
    }

    #[test]
    fn realistic_payloads_round_trip() {
        snapshot_fixture::<types::HistoryPage>("zchat/history.realistic.json");
        snapshot_fixture::<types::ExpandedHistoryPage>("zchat/expanded.realistic.json");
        snapshot_fixture::<types::MessagesPage>("zchat/messages.realistic.json");
    }
}

mod converz {
    use super::*;
    use converz_api::types;

    api_snapshots!("converz", converz_api);

    #[test]
    fn docs_examples_round_trip() {
        snapshot_fixture::<types::RepList>("converz/reps.docs.json");
        snapshot_fixture::<types::CallList>("converz/calls.docs.json");
        snapshot_fixture::<types::RepUpdate>("converz/update_reps.columnar.json");
        snapshot_fixture::<types::RepUpdate>("converz/update_reps.rowwise.json");
        snapshot_fixture::<types::CallUpdate>("converz/update_calls.columnar.json");
        snapshot_fixture::<types::CallUpdate>("converz/update_calls.rowwise.json");
        snapshot_fixture::<types::Error>("converz/error.400.json");
        snapshot_fixture::<types::Error>("converz/error.401.json");
    }

    #[test]
    fn realistic_payloads_round_trip() {
        snapshot_fixture::<types::CallList>("converz/calls.realistic.json");
        snapshot_fixture::<types::ReportRows>("converz/report.realistic.json");
    }
}

mod conversion {
    use super::*;
    use conversion_api::types;

    api_snapshots!("conversion", conversion_api);

    #[test]
    fn payloads_round_trip() {
        snapshot_fixture::<types::WebhookEvent>("conversion/webhook.interactions.json");
        snapshot_fixture::<types::Prospect>("conversion/prospect.json");
        snapshot_fixture::<types::Prospect>("conversion/prospect.unknown_status.json");
        snapshot_fixture::<types::ProspectCreated>("conversion/prospect_created.merged.json");
        snapshot_fixture::<Vec<types::Interaction>>("conversion/interactions.json");
        snapshot_fixture::<types::Subscription>("conversion/subscription.json");
        snapshot_fixture::<Vec<types::Topic>>("conversion/topics.json");
        snapshot_fixture::<Vec<types::Category>>("conversion/categories.json");
        snapshot_fixture::<types::Defaults>("conversion/defaults.json");
        snapshot_fixture::<types::Error>("conversion/error.400.json");
        snapshot_fixture::<types::VehicleLead>("conversion/lead.vehicle.json");
        snapshot_fixture::<types::NewEvent>("conversion/new_event.note.json");
    }
}
