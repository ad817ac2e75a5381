//! The streams: one enum, and one definition per variant (an exhaustive `match`). Adding a
//! stream is a variant here plus its vendor query; the compiler then names every place that
//! must handle it (its definition below, its read in `Source::read`).

use super::catalog::{Cursor, StreamDef};
use crate::error::Api;

/// Every stream cxkit can sync. Named by [`name`](Self::name) at the edges (catalogs, state
/// files) and matched exhaustively inside.
///
/// ```
/// use cxkit::sync::Stream;
/// let prospects = Stream::from_name("conversion_prospects").unwrap();
/// assert_eq!(prospects.def().primary_key, ["id"]);
/// assert_eq!(prospects.name(), "conversion_prospects");
/// assert!(Stream::ALL.contains(&prospects));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Stream {
    /// `zchat_history`: Zenvia Chat service history: one row per interaction.
    ZchatHistory,
    /// `zchat_history_expanded`: Zenvia Chat service history with per-state counters and times.
    ZchatHistoryExpanded,
    /// `zchat_ongoing`: Zenvia Chat interactions in progress now.
    ZchatOngoing,
    /// `zchat_reports`: Zenvia Chat Digital Channels report from the start date until now (one row per group).
    ZchatReports,
    /// `converz_reps`: Converz users (reps).
    ConverzReps,
    /// `converz_calls`: Converz conversations (calls).
    ConverzCalls,
    /// `converz_report`: Converz analytics report from the start date until today.
    ConverzReport,
    /// `conversion_prospects`: Zenvia Conversion prospects.
    ConversionProspects,
    /// `conversion_interactions`: Zenvia Conversion interactions.
    ConversionInteractions,
    /// `conversion_quotes`: Zenvia Conversion quotes.
    ConversionQuotes,
    /// `conversion_groups`: Zenvia Conversion groups.
    ConversionGroups,
    /// `conversion_agents`: Zenvia Conversion agents of every group.
    ConversionAgents,
    /// `conversion_industries`: Zenvia Conversion industries.
    ConversionIndustries,
    /// `conversion_lead_categories`: Zenvia Conversion lead categories.
    ConversionLeadCategories,
    /// `conversion_topics`: Zenvia Conversion webhook topics.
    ConversionTopics,
    /// `conversion_subscriptions`: Zenvia Conversion webhook subscriptions (callback secrets masked).
    ConversionSubscriptions,
    /// `conversion_channels`: Zenvia Conversion messaging channels.
    ConversionChannels,
    /// `conversion_integrations`: Zenvia Conversion integrations of the account.
    ConversionIntegrations,
    /// `conversion_labels`: Zenvia Conversion prospect labels.
    ConversionLabels,
    /// `conversion_archiving_reasons`: Zenvia Conversion archiving reasons.
    ConversionArchivingReasons,
}

const HOUR: i64 = 3600;

/// A generated row type's name, checked to exist: a wrong name does not compile.
macro_rules! row {
    ($api:ident :: $ty:ident) => {{
        const _: Option<$api::types::$ty> = None;
        stringify!($ty)
    }};
}

const fn full(
    id: Stream,
    name: &'static str,
    api: Api,
    row_type: &'static str,
    primary_key: &'static [&'static str],
    description: &'static str,
) -> StreamDef {
    StreamDef {
        id,
        name,
        api,
        row_type,
        primary_key,
        cursor: None,
        description,
    }
}

const fn incremental(
    id: Stream,
    name: &'static str,
    api: Api,
    row_type: &'static str,
    primary_key: &'static [&'static str],
    cursor: Cursor,
    description: &'static str,
) -> StreamDef {
    StreamDef {
        id,
        name,
        api,
        row_type,
        primary_key,
        cursor: Some(cursor),
        description,
    }
}

const fn cursor(field: &'static str, in_spec: bool) -> Cursor {
    Cursor {
        field,
        overlap_secs: HOUR,
        in_spec,
    }
}

impl Stream {
    /// Every stream, in a stable order (catalogs list them so).
    pub const ALL: [Stream; 20] = [
        Stream::ZchatHistory,
        Stream::ZchatHistoryExpanded,
        Stream::ZchatOngoing,
        Stream::ZchatReports,
        Stream::ConverzReps,
        Stream::ConverzCalls,
        Stream::ConverzReport,
        Stream::ConversionProspects,
        Stream::ConversionInteractions,
        Stream::ConversionQuotes,
        Stream::ConversionGroups,
        Stream::ConversionAgents,
        Stream::ConversionIndustries,
        Stream::ConversionLeadCategories,
        Stream::ConversionTopics,
        Stream::ConversionSubscriptions,
        Stream::ConversionChannels,
        Stream::ConversionIntegrations,
        Stream::ConversionLabels,
        Stream::ConversionArchivingReasons,
    ];

    /// The stream's definition: name, vendor, row type, primary key, cursor.
    ///
    /// One arm per stream: the arms repeat their shape because every stream has the same
    /// facts, not the same values (a table, kept as a `match` so a new variant must be given
    /// its row here).
    pub const fn def(self) -> StreamDef {
        match self {
            Stream::ZchatHistory => incremental(
                self,
                "zchat_history",
                Api::Zchat,
                row!(zchat_api::HistoryRow),
                &["id"],
                cursor("created_at", true),
                "Zenvia Chat service history: one row per interaction.",
            ),
            Stream::ZchatHistoryExpanded => incremental(
                self,
                "zchat_history_expanded",
                Api::Zchat,
                row!(zchat_api::ExpandedHistoryRow),
                &["id"],
                cursor("startTime", true),
                "Zenvia Chat service history with per-state counters and times.",
            ),
            Stream::ZchatOngoing => full(
                self,
                "zchat_ongoing",
                Api::Zchat,
                row!(zchat_api::OngoingRow),
                &["id"],
                "Zenvia Chat interactions in progress now.",
            ),
            Stream::ZchatReports => full(
                self,
                "zchat_reports",
                Api::Zchat,
                row!(zchat_api::ReportRow),
                &["title"],
                "Zenvia Chat Digital Channels report from the start date until now (one row per group).",
            ),
            Stream::ConverzReps => full(
                self,
                "converz_reps",
                Api::Converz,
                row!(converz_api::Rep),
                &["rep_id"],
                "Converz users (reps).",
            ),
            Stream::ConverzCalls => incremental(
                self,
                "converz_calls",
                Api::Converz,
                row!(converz_api::Call),
                &["call_id"],
                cursor("start_time", false),
                "Converz conversations (calls).",
            ),
            Stream::ConverzReport => full(
                self,
                "converz_report",
                Api::Converz,
                row!(converz_api::ReportRow),
                &[],
                "Converz analytics report from the start date until today.",
            ),
            Stream::ConversionProspects => incremental(
                self,
                "conversion_prospects",
                Api::Conversion,
                row!(conversion_api::Prospect),
                &["id"],
                cursor("created", true),
                "Zenvia Conversion prospects.",
            ),
            Stream::ConversionInteractions => incremental(
                self,
                "conversion_interactions",
                Api::Conversion,
                row!(conversion_api::Interaction),
                &["id"],
                cursor("createdAt", true),
                "Zenvia Conversion interactions.",
            ),
            Stream::ConversionQuotes => incremental(
                self,
                "conversion_quotes",
                Api::Conversion,
                row!(conversion_api::Quote),
                &["id"],
                cursor("createdAt", true),
                "Zenvia Conversion quotes.",
            ),
            Stream::ConversionGroups => full(
                self,
                "conversion_groups",
                Api::Conversion,
                row!(conversion_api::GroupNode),
                &["id"],
                "Zenvia Conversion groups.",
            ),
            Stream::ConversionAgents => full(
                self,
                "conversion_agents",
                Api::Conversion,
                row!(conversion_api::Agent),
                &["id"],
                "Zenvia Conversion agents of every group.",
            ),
            Stream::ConversionIndustries => full(
                self,
                "conversion_industries",
                Api::Conversion,
                row!(conversion_api::Industry),
                &["name"],
                "Zenvia Conversion industries.",
            ),
            Stream::ConversionLeadCategories => full(
                self,
                "conversion_lead_categories",
                Api::Conversion,
                row!(conversion_api::Category),
                &["name"],
                "Zenvia Conversion lead categories.",
            ),
            Stream::ConversionTopics => full(
                self,
                "conversion_topics",
                Api::Conversion,
                row!(conversion_api::Topic),
                &["name"],
                "Zenvia Conversion webhook topics.",
            ),
            Stream::ConversionSubscriptions => full(
                self,
                "conversion_subscriptions",
                Api::Conversion,
                row!(conversion_api::Subscription),
                &["id"],
                "Zenvia Conversion webhook subscriptions (callback secrets masked).",
            ),
            Stream::ConversionChannels => full(
                self,
                "conversion_channels",
                Api::Conversion,
                row!(conversion_api::Channel),
                &["channelId"],
                "Zenvia Conversion messaging channels.",
            ),
            Stream::ConversionIntegrations => full(
                self,
                "conversion_integrations",
                Api::Conversion,
                row!(conversion_api::Integration),
                &["id"],
                "Zenvia Conversion integrations of the account.",
            ),
            Stream::ConversionLabels => full(
                self,
                "conversion_labels",
                Api::Conversion,
                row!(conversion_api::ProspectLabel),
                &["key"],
                "Zenvia Conversion prospect labels.",
            ),
            Stream::ConversionArchivingReasons => full(
                self,
                "conversion_archiving_reasons",
                Api::Conversion,
                row!(conversion_api::ArchivingReason),
                &["reason"],
                "Zenvia Conversion archiving reasons.",
            ),
        }
    }

    /// The stream's name (`zchat_history`, `conversion_prospects`, …).
    pub const fn name(self) -> &'static str {
        self.def().name
    }

    /// The stream called `name` (catalogs, state files, command lines).
    pub fn from_name(name: &str) -> Option<Stream> {
        Stream::ALL.into_iter().find(|s| s.name() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_is_listed_once_and_defined_as_itself() {
        for (i, stream) in Stream::ALL.iter().enumerate() {
            assert_eq!(stream.def().id, *stream);
            assert_eq!(Stream::from_name(stream.name()), Some(*stream));
            assert!(!Stream::ALL[..i].contains(stream), "{stream:?} twice");
        }
        // A variant missing from ALL: its def still names it, and nothing else does.
        let named = |s: Stream| Stream::ALL.iter().filter(|a| a.name() == s.name()).count();
        for stream in Stream::ALL {
            assert_eq!(named(stream), 1);
        }
        assert_eq!(Stream::from_name("nope"), None);
    }
}
