//! The nested `cxkit conversion <resource> <action>` commands.

use clap::Subcommand;

/// A JSON body: inline (`'{"type":"note","content":"…"}'`) or from a file (`@event.json`).
pub(crate) const BODY_HELP: &str = "JSON inline or @FILE";

/// `cxkit conversion prospect …`
#[derive(Subcommand, Debug)]
pub enum ProspectCommand {
    /// One prospect.
    #[command(after_help = "Example:\n  cxkit conversion prospect get 65d4a1e7f2c3b80014a9d362")]
    Get {
        /// The prospect id.
        id: String,
    },
    /// Change names, add a phone or e-mail, set a label or an archiving reason.
    #[command(
        after_help = "Example:\n  cxkit conversion prospect update 65d4… --first-name Ana --phone +5511987654321"
    )]
    Update {
        /// The prospect id.
        id: String,
        /// New first name.
        #[arg(long)]
        first_name: Option<String>,
        /// New last name.
        #[arg(long)]
        last_name: Option<String>,
        /// A phone to add.
        #[arg(long)]
        phone: Option<String>,
        /// An e-mail to add.
        #[arg(long)]
        email: Option<String>,
        /// A label.
        #[arg(long)]
        label: Option<String>,
        /// Archive with this reason code.
        #[arg(long)]
        archiving_reason: Option<String>,
    },
    /// Remove an invalid prospect.
    #[command(
        after_help = "Example:\n  cxkit conversion prospect delete 65d4a1e7f2c3b80014a9d362"
    )]
    Delete {
        /// The prospect id.
        id: String,
    },
    /// Route a prospect to a group and/or user (--as-user: as the integration's user).
    #[command(after_help = "Example:\n  cxkit conversion prospect transfer 65d4… --group 60a3…")]
    Transfer {
        /// The prospect id.
        id: String,
        /// The target group id.
        #[arg(long, required_unless_present = "user")]
        group: Option<String>,
        /// The target user id.
        #[arg(long)]
        user: Option<String>,
        /// Transfer as the user configured on the integration.
        #[arg(long)]
        as_user: bool,
    },
    /// Archive as the integration's user, with a reason code (see archiving-reasons).
    #[command(
        after_help = "Example:\n  cxkit conversion prospect archive 65d4… --reason converted"
    )]
    Archive {
        /// The prospect id.
        id: String,
        /// The reason code.
        #[arg(long)]
        reason: String,
    },
    /// Label as the integration's user, with a label key (see labels).
    #[command(after_help = "Example:\n  cxkit conversion prospect label 65d4… --label hot")]
    Label {
        /// The prospect id.
        id: String,
        /// The label key.
        #[arg(long)]
        label: String,
    },
    /// Set additional-data fields (KEY=VALUE; a JSON value is kept typed).
    #[command(
        after_help = "Example:\n  cxkit conversion prospect set-data 65d4… --set score=80 --set city=Recife"
    )]
    SetData {
        /// The prospect id.
        id: String,
        /// KEY=VALUE (repeatable).
        #[arg(long = "set", required = true)]
        fields: Vec<String>,
    },
    /// The additional-data fields a prospect can carry.
    #[command(
        after_help = "Example:\n  cxkit conversion prospect fields 65d4a1e7f2c3b80014a9d362"
    )]
    Fields {
        /// The prospect id.
        id: String,
    },
    /// Record a satisfaction rating (1 to 5).
    #[command(
        after_help = "Example:\n  cxkit conversion prospect rate 65d4… --score 5 --comment 'great'"
    )]
    Rate {
        /// The prospect id.
        id: String,
        /// The score, 1 to 5.
        #[arg(long)]
        score: f64,
        /// A comment.
        #[arg(long)]
        comment: Option<String>,
    },
}

/// `cxkit conversion interaction …`
#[derive(Subcommand, Debug)]
pub enum InteractionCommand {
    /// One interaction.
    #[command(
        after_help = "Example:\n  cxkit conversion interaction get PROSPECT_ID INTERACTION_ID"
    )]
    Get {
        /// The prospect id.
        prospect: String,
        /// The interaction id.
        id: String,
    },
    /// Register a note (--note) or any event (--body: note, message, call, question).
    #[command(
        after_help = "Example:\n  cxkit conversion interaction add 65d4… --note 'Called, no answer'"
    )]
    Add {
        /// The prospect id.
        prospect: String,
        /// A note's text.
        #[arg(long, required_unless_present = "body", conflicts_with = "body")]
        note: Option<String>,
        /// A NewEvent (JSON inline or @FILE).
        #[arg(long, help = BODY_HELP)]
        body: Option<String>,
    },
    /// Update an interaction with an UpdateEvent (a message status, a question answer).
    #[command(
        after_help = "Example:\n  cxkit conversion interaction update P I --body '{\"type\":\"message\",\"status\":\"read\"}'"
    )]
    Update {
        /// The prospect id.
        prospect: String,
        /// The interaction id.
        id: String,
        /// An UpdateEvent (JSON inline or @FILE).
        #[arg(long, help = BODY_HELP)]
        body: String,
    },
}

/// `cxkit conversion quote …`
#[derive(Subcommand, Debug)]
pub enum QuoteCommand {
    /// One quote.
    #[command(after_help = "Example:\n  cxkit conversion quote get PROSPECT_ID QUOTE_ID")]
    Get {
        /// The prospect id.
        prospect: String,
        /// The quote id.
        id: String,
    },
    /// Create a quote from items CONCEPT:QUANTITY:PRICE (or --body with a NewQuote).
    #[command(
        after_help = "Example:\n  cxkit conversion quote create 65d4… --item 'Onix LT:1:89900.50'"
    )]
    Create {
        /// The prospect id.
        prospect: String,
        /// CONCEPT:QUANTITY:PRICE (repeatable).
        #[arg(long = "item", required_unless_present = "body")]
        items: Vec<String>,
        /// A NewQuote (JSON inline or @FILE).
        #[arg(long, help = BODY_HELP, conflicts_with = "items")]
        body: Option<String>,
    },
    /// Accept a quote.
    #[command(after_help = "Example:\n  cxkit conversion quote accept PROSPECT_ID QUOTE_ID")]
    Accept {
        /// The prospect id.
        prospect: String,
        /// The quote id.
        id: String,
    },
    /// Reject a quote.
    #[command(after_help = "Example:\n  cxkit conversion quote reject PROSPECT_ID QUOTE_ID")]
    Reject {
        /// The prospect id.
        prospect: String,
        /// The quote id.
        id: String,
    },
}

/// `cxkit conversion message …`
#[derive(Subcommand, Debug)]
pub enum MessageCommand {
    /// A conversational message: --text, or --body with a NewMessage (lists, buttons…).
    #[command(
        after_help = "Example:\n  cxkit conversion message send 65d4… --channel whatsapp --text 'Olá!'"
    )]
    Send {
        /// The prospect id.
        prospect: String,
        /// The channel: whatsapp, facebook, instagram.
        #[arg(long, default_value = "whatsapp")]
        channel: String,
        /// Plain text.
        #[arg(long, required_unless_present = "body", conflicts_with = "body")]
        text: Option<String>,
        /// A NewMessage (JSON inline or @FILE).
        #[arg(long, help = BODY_HELP)]
        body: Option<String>,
    },
    /// A file.
    #[command(
        after_help = "Example:\n  cxkit conversion message file 65d4… --channel whatsapp --path proposal.pdf"
    )]
    File {
        /// The prospect id.
        prospect: String,
        /// The channel: whatsapp, facebook, instagram.
        #[arg(long, default_value = "whatsapp")]
        channel: String,
        /// The file to send.
        #[arg(long)]
        path: std::path::PathBuf,
        /// Its MIME type.
        #[arg(long, default_value = "application/octet-stream")]
        mime_type: String,
    },
    /// A pre-approved template, with KEY=VALUE parameters.
    #[command(
        after_help = "Example:\n  cxkit conversion message template 65d4… --key follow_up_1 --param name=Ana"
    )]
    Template {
        /// The prospect id.
        prospect: String,
        /// The channel: whatsapp, facebook, instagram.
        #[arg(long, default_value = "whatsapp")]
        channel: String,
        /// The template key (see channels).
        #[arg(long)]
        key: String,
        /// KEY=VALUE overriding a template parameter (repeatable).
        #[arg(long = "param")]
        params: Vec<String>,
    },
}

/// `cxkit conversion agent …`
#[derive(Subcommand, Debug)]
pub enum AgentCommand {
    /// An agent's response time.
    #[command(
        after_help = "Example:\n  cxkit --sandbox conversion agent response-time 65f0000000000000000b0001"
    )]
    ResponseTime {
        /// The agent id.
        id: String,
    },
    /// Whether an agent is working now.
    #[command(
        after_help = "Example:\n  cxkit --sandbox conversion agent working 65f0000000000000000b0001"
    )]
    Working {
        /// The agent id.
        id: String,
    },
}

/// `cxkit conversion group …`
#[derive(Subcommand, Debug)]
pub enum GroupCommand {
    /// One group.
    #[command(
        after_help = "Example:\n  cxkit --sandbox conversion group get 65f000000000000000000a01"
    )]
    Get {
        /// The group id.
        id: String,
    },
    /// The group's online agents and office hours.
    #[command(
        after_help = "Example:\n  cxkit --sandbox conversion group online 65f000000000000000000a01"
    )]
    Online {
        /// The group id.
        id: String,
    },
    /// The group's response time.
    #[command(
        after_help = "Example:\n  cxkit --sandbox conversion group response-time 65f000000000000000000a01"
    )]
    ResponseTime {
        /// The group id.
        id: String,
    },
    /// Whether an agent of the group is working now.
    #[command(
        after_help = "Example:\n  cxkit --sandbox conversion group working 65f000000000000000000a01"
    )]
    Working {
        /// The group id.
        id: String,
    },
}

/// `cxkit conversion app …`
#[derive(Subcommand, Debug)]
pub enum AppCommand {
    /// Send a custom app's event (a CustomEvent; its key travels in `data.apiKey`).
    #[command(after_help = "Example:\n  cxkit conversion app event --body @event.json")]
    Event {
        /// A CustomEvent (JSON inline or @FILE).
        #[arg(long, help = BODY_HELP)]
        body: String,
    },
    /// Post to a custom app's notification panel (a NotificationData).
    #[command(after_help = "Example:\n  cxkit conversion app notify --body @notification.json")]
    Notify {
        /// A NotificationData (JSON inline or @FILE).
        #[arg(long, help = BODY_HELP)]
        body: String,
    },
}
