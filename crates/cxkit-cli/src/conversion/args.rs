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

/// Zenvia Conversion commands.
#[derive(Subcommand, Debug)]
pub enum Conversion {
    /// Send a lead (refused before sending without --utm-source and a phone or e-mail).
    #[command(
        after_help = "Example:\n  cxkit --sandbox conversion lead retail --utm-source site --first-name Ana --phone +5511987654321"
    )]
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
    Subscriptions,
    /// One subscription by id.
    #[command(after_help = "Example:\n  cxkit conversion subscription 65f1c2a4e13b7d0012a4c9e1")]
    Subscription {
        /// The subscription id.
        id: String,
    },
    /// Deactivate one subscription, or every one with --all.
    #[command(after_help = "Example:\n  cxkit conversion unsubscribe --all")]
    Unsubscribe {
        /// The subscription id.
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        id: Option<String>,
        /// Every subscription.
        #[arg(long)]
        all: bool,
    },
    /// The webhook topics.
    #[command(after_help = "Example:\n  cxkit --sandbox conversion topics")]
    Topics,
    /// One prospect: get, update, delete, transfer, archive, label, additional data, rating.
    #[command(subcommand)]
    Prospect(ProspectCommand),
    /// One interaction: get, add, update.
    #[command(subcommand)]
    Interaction(InteractionCommand),
    /// Quotes of one prospect (--prospect) or of the whole account.
    #[command(after_help = "Example:\n  cxkit --sandbox conversion quotes --status accepted")]
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
    /// One quote: get, create, accept, reject.
    #[command(subcommand)]
    Quote(QuoteCommand),
    /// Send a message, a file or a template to a prospect.
    #[command(subcommand)]
    Message(MessageCommand),
    /// Messaging channels of the key, or of one prospect.
    #[command(after_help = "Example:\n  cxkit --sandbox conversion channels")]
    Channels {
        /// Only the channels usable with this prospect.
        #[arg(long)]
        prospect: Option<String>,
    },
    /// A prospect's orders.
    #[command(after_help = "Example:\n  cxkit conversion orders 65d4a1e7f2c3b80014a9d362")]
    Orders {
        /// The prospect id.
        prospect: String,
        /// At most this many (a multiple of 100).
        #[arg(long)]
        limit: Option<u64>,
    },
    /// Archiving reasons (of the acting user, or of --agent through the deprecated call).
    #[command(after_help = "Example:\n  cxkit --sandbox conversion archiving-reasons")]
    ArchivingReasons {
        /// An agent id (the vendor's deprecated `GET /archiving-reasons`).
        #[arg(long)]
        agent: Option<String>,
    },
    /// Labels available to the acting user.
    #[command(after_help = "Example:\n  cxkit --sandbox conversion labels")]
    Labels,
    /// Groups and users the acting user may transfer to.
    #[command(after_help = "Example:\n  cxkit --sandbox conversion transferable")]
    Transferable,
    /// The agents of a group.
    #[command(
        after_help = "Example:\n  cxkit --sandbox conversion agents --group 65f000000000000000000a01"
    )]
    Agents {
        /// The group id (required by the vendor).
        #[arg(long)]
        group: String,
        /// Only agents with this status.
        #[arg(long)]
        active: Option<String>,
    },
    /// One agent: response time, working now.
    #[command(subcommand)]
    Agent(AgentCommand),
    /// The account's groups.
    #[command(after_help = "Example:\n  cxkit --sandbox conversion groups")]
    Groups,
    /// One group: get, online agents, response time, working now.
    #[command(subcommand)]
    Group(GroupCommand),
    /// The group's industries.
    #[command(after_help = "Example:\n  cxkit --sandbox conversion industries")]
    Industries,
    /// Lead categories, the default first.
    #[command(after_help = "Example:\n  cxkit --sandbox conversion categories")]
    Categories,
    /// The group's currency and distance unit.
    #[command(after_help = "Example:\n  cxkit --sandbox conversion defaults")]
    Defaults,
    /// The integration behind the key (--all: every integration of the key).
    #[command(after_help = "Example:\n  cxkit --sandbox conversion integration")]
    Integration {
        /// Every integration of the key.
        #[arg(long)]
        all: bool,
    },
    /// Whether the configured key exists and is enabled (exit 3 when it is not).
    #[command(after_help = "Example:\n  CONVERSION_API_KEY=… cxkit conversion check-credentials")]
    CheckCredentials,
    /// Every contact of a contact selection.
    #[command(
        after_help = "Example:\n  cxkit --sandbox conversion selection 65f2b0c4d9e1a70013b5c2d8 --field firstName"
    )]
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
    /// Custom apps: send an event or a notification.
    #[command(subcommand)]
    App(AppCommand),
}
