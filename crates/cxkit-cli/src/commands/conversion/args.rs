//! The `cxkit conversion …` command tree.

use super::subcommands::{
    AgentCommand, AppCommand, GroupCommand, InteractionCommand, MessageCommand, ProspectCommand,
    QuoteCommand,
};
use clap::{Subcommand, ValueEnum};

/// Lead kinds.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum LeadKind {
    /// Retail.
    Retail,
    /// Vehicle.
    Vehicle,
    /// Insurance.
    Insurance,
    /// Saving plan.
    SavingPlan,
    /// Real estate.
    RealEstate,
}

/// Zenvia Conversion commands. Grouped by the module that runs them: each group's `run`
/// matches it exhaustively, so a command without a handler does not compile. The numbers keep
/// `--help` in the order the commands were written.
#[derive(Subcommand, Debug)]
pub enum Conversion {
    /// Leads, the lists and webhook subscriptions.
    #[command(flatten)]
    Lists(Lists),
    /// The commands that are one call each.
    #[command(flatten)]
    Directory(Directory),
    /// One prospect: get, update, delete, transfer, archive, label, additional data, rating.
    #[command(subcommand)]
    #[command(display_order = 9)]
    Prospect(ProspectCommand),
    /// One interaction: get, add, update.
    #[command(subcommand)]
    #[command(display_order = 10)]
    Interaction(InteractionCommand),
    /// One quote: get, create, accept, reject.
    #[command(subcommand)]
    #[command(display_order = 12)]
    Quote(QuoteCommand),
    /// Send a message, a file or a template to a prospect.
    #[command(subcommand)]
    #[command(display_order = 13)]
    Message(MessageCommand),
    /// One agent: response time, working now.
    #[command(subcommand)]
    #[command(display_order = 20)]
    Agent(AgentCommand),
    /// One group: get, online agents, response time, working now.
    #[command(subcommand)]
    #[command(display_order = 22)]
    Group(GroupCommand),
    /// Custom apps: send an event or a notification.
    #[command(subcommand)]
    #[command(display_order = 29)]
    App(AppCommand),
}

/// Leads, the prospect and interaction lists, and webhook subscriptions (`lists.rs`).
#[derive(Subcommand, Debug)]
pub enum Lists {
    /// Send a lead (refused before sending without --utm-source and a phone or e-mail).
    #[command(
        after_help = "Example:\n  cxkit --sandbox conversion lead retail --utm-source site --first-name Ana --phone +5511987654321"
    )]
    #[command(display_order = 1)]
    Lead {
        /// The kind of lead.
        kind: LeadKind,
        /// Where the lead came from.
        #[arg(long)]
        utm_source: String,
        /// First name.
        #[arg(long)]
        first_name: Option<String>,
        /// Last name.
        #[arg(long)]
        last_name: Option<String>,
        /// Phone (repeatable).
        #[arg(long = "phone")]
        phones: Vec<String>,
        /// E-mail (repeatable).
        #[arg(long = "email")]
        emails: Vec<String>,
        /// Free text.
        #[arg(long)]
        comments: Option<String>,
    },
    /// Prospects, every page (ranges over 31 days are walked in windows).
    #[command(
        after_help = "Example:\n  cxkit --sandbox conversion prospects --from 2024-01-01 --to 2024-03-31 --status new --data 'score>=50'"
    )]
    #[command(display_order = 2)]
    Prospects {
        #[command(flatten)]
        period: crate::period::Period,
        /// Only this status.
        #[arg(long)]
        status: Option<String>,
        /// Phone, e-mail or name containing this.
        #[arg(long)]
        search: Option<String>,
        /// A condition on additionalData, FIELD<op>VALUE with op = >= > <= < ~ (repeatable).
        #[arg(long = "data")]
        data: Vec<String>,
        /// Rows per request (1 to 5,000).
        #[arg(long, default_value_t = 1000)]
        page_size: u64,
    },
    /// Interactions of every prospect, or of one with --prospect.
    #[command(after_help = "Example:\n  cxkit --sandbox conversion interactions --via whatsApp")]
    #[command(display_order = 3)]
    Interactions {
        #[command(flatten)]
        period: crate::period::Period,
        /// Only this prospect's interactions.
        #[arg(long)]
        prospect: Option<String>,
        /// Only this channel (repeatable).
        #[arg(long = "via")]
        via: Vec<String>,
        /// Rows per request (1 to 5,000).
        #[arg(long, default_value_t = 1000)]
        page_size: u64,
    },
    /// Subscribe a callback URL (the secret is added to it) to topics.
    #[command(
        after_help = "Example:\n  cxkit conversion subscribe --url https://hooks.example.com/conversion --secret \"$WEBHOOK_SECRET\" --topic interactions"
    )]
    #[command(display_order = 4)]
    Subscribe {
        /// The public callback URL.
        #[arg(long)]
        url: String,
        /// The shared secret (16+ characters) the receiver checks.
        #[arg(long, env = cxkit::conversion::webhook::SECRET_VAR, hide_env_values = true)]
        secret: String,
        /// Topic (repeatable): prospects, interactions, quotes, agents.
        #[arg(long = "topic", default_values_t = ["prospects".to_string(), "interactions".to_string()])]
        topics: Vec<String>,
    },
    /// Active subscriptions.
    #[command(after_help = "Example:\n  cxkit conversion subscriptions --format json")]
    #[command(display_order = 5)]
    Subscriptions,
    /// One subscription by id.
    #[command(after_help = "Example:\n  cxkit conversion subscription 65f1c2a4e13b7d0012a4c9e1")]
    #[command(display_order = 6)]
    Subscription {
        /// The subscription id.
        id: String,
    },
    /// Deactivate one subscription, or every one with --all.
    #[command(after_help = "Example:\n  cxkit conversion unsubscribe --all")]
    #[command(display_order = 7)]
    Unsubscribe {
        /// The subscription id.
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        id: Option<String>,
        /// Every subscription.
        #[arg(long)]
        all: bool,
    },
}

/// The commands that are one call each (`directory.rs`).
#[derive(Subcommand, Debug)]
pub enum Directory {
    /// The webhook topics.
    #[command(after_help = "Example:\n  cxkit --sandbox conversion topics")]
    #[command(display_order = 8)]
    Topics,
    /// Quotes of one prospect (--prospect) or of the whole account.
    #[command(after_help = "Example:\n  cxkit --sandbox conversion quotes --status accepted")]
    #[command(display_order = 11)]
    Quotes {
        /// Only this prospect's quotes.
        #[arg(long)]
        prospect: Option<String>,
        /// Only this status: pending, accepted, rejected.
        #[arg(long)]
        status: Option<String>,
        /// Rows per request of the account-wide list.
        #[arg(long, default_value_t = 1000)]
        page_size: u64,
    },
    /// Messaging channels of the key, or of one prospect.
    #[command(after_help = "Example:\n  cxkit --sandbox conversion channels")]
    #[command(display_order = 14)]
    Channels {
        /// Only the channels usable with this prospect.
        #[arg(long)]
        prospect: Option<String>,
    },
    /// A prospect's orders.
    #[command(after_help = "Example:\n  cxkit conversion orders 65d4a1e7f2c3b80014a9d362")]
    #[command(display_order = 15)]
    Orders {
        /// The prospect id.
        prospect: String,
        /// At most this many (a multiple of 100).
        #[arg(long)]
        limit: Option<u64>,
    },
    /// Archiving reasons (of the acting user, or of --agent through the deprecated call).
    #[command(after_help = "Example:\n  cxkit --sandbox conversion archiving-reasons")]
    #[command(display_order = 16)]
    ArchivingReasons {
        /// An agent id (the vendor's deprecated `GET /archiving-reasons`).
        #[arg(long)]
        agent: Option<String>,
    },
    /// Labels available to the acting user.
    #[command(after_help = "Example:\n  cxkit --sandbox conversion labels")]
    #[command(display_order = 17)]
    Labels,
    /// Groups and users the acting user may transfer to.
    #[command(after_help = "Example:\n  cxkit --sandbox conversion transferable")]
    #[command(display_order = 18)]
    Transferable,
    /// The agents of a group.
    #[command(
        after_help = "Example:\n  cxkit --sandbox conversion agents --group 65f000000000000000000a01"
    )]
    #[command(display_order = 19)]
    Agents {
        /// The group id (required by the vendor).
        #[arg(long)]
        group: String,
        /// Only agents with this status.
        #[arg(long)]
        active: Option<String>,
    },
    /// The account's groups.
    #[command(after_help = "Example:\n  cxkit --sandbox conversion groups")]
    #[command(display_order = 21)]
    Groups,
    /// The group's industries.
    #[command(after_help = "Example:\n  cxkit --sandbox conversion industries")]
    #[command(display_order = 23)]
    Industries,
    /// Lead categories, the default first.
    #[command(after_help = "Example:\n  cxkit --sandbox conversion categories")]
    #[command(display_order = 24)]
    Categories,
    /// The group's currency and distance unit.
    #[command(after_help = "Example:\n  cxkit --sandbox conversion defaults")]
    #[command(display_order = 25)]
    Defaults,
    /// The integration behind the key (--all: every integration of the key).
    #[command(after_help = "Example:\n  cxkit --sandbox conversion integration")]
    #[command(display_order = 26)]
    Integration {
        /// Every integration of the key.
        #[arg(long)]
        all: bool,
    },
    /// Whether the configured key exists and is enabled (exit 3 when it is not).
    #[command(after_help = "Example:\n  CONVERSION_API_KEY=… cxkit conversion check-credentials")]
    #[command(display_order = 27)]
    CheckCredentials,
    /// Every contact of a contact selection.
    #[command(
        after_help = "Example:\n  cxkit --sandbox conversion selection 65f2b0c4d9e1a70013b5c2d8 --field firstName"
    )]
    #[command(display_order = 28)]
    Selection {
        /// The selection id.
        id: String,
        /// A field to include beyond those always returned (repeatable).
        #[arg(long = "field")]
        fields: Vec<String>,
        /// Contacts per request.
        #[arg(long, default_value_t = 100)]
        page_size: u64,
    },
}
