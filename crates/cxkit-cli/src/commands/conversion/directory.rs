//! `cxkit conversion agents|agent|groups|group|app|…`: the directory, the integration behind
//! the key, acting-user lists, channels, orders, quotes across the account and selections.

use super::args::Directory;
use super::subcommands::{AgentCommand, AppCommand, GroupCommand};
use super::{body, show, show_all};
use crate::commands::{export, Context};
use crate::error::CliError;
use crate::output::Columns;
use cxkit::conversion::{Client, QuoteQuery};
use cxkit::Api;

/// The commands that are one call each.
#[deny(clippy::wildcard_enum_match_arm)]
pub(super) async fn run(
    ctx: &Context<'_>,
    client: &Client,
    command: Directory,
) -> Result<(), CliError> {
    match command {
        Directory::Topics => show_all(ctx, client.topics().await?).await,
        Directory::Quotes {
            prospect,
            status,
            page_size,
        } => {
            let mut query = QuoteQuery::new().page_size(page_size);
            if let Some(status) = status {
                query = query.status(status);
            }
            match prospect {
                Some(id) => show_all(ctx, client.prospect_quotes(&id, &query).await?).await,
                None => {
                    let columns = Columns::Schema(Api::Conversion, "Quote");
                    export(ctx.open(columns)?, client.quotes_raw(query)).await
                }
            }
        }
        Directory::Channels { prospect } => match prospect {
            Some(id) => show_all(ctx, client.prospect_channels(&id).await?).await,
            None => show_all(ctx, client.channels().await?).await,
        },
        Directory::Orders { prospect, limit } => {
            show_all(ctx, client.orders(&prospect, limit).await?).await
        }
        Directory::ArchivingReasons { agent } => match agent {
            #[allow(deprecated)]
            Some(agent) => show_all(ctx, client.archiving_reasons_of(&agent).await?).await,
            None => show_all(ctx, client.archiving_reasons().await?).await,
        },
        Directory::Labels => show_all(ctx, client.labels().await?).await,
        Directory::Transferable => show(ctx, client.transferable().await?).await,
        Directory::Agents { group, active } => {
            show_all(ctx, client.agents(&group, active.as_deref()).await?).await
        }
        Directory::Groups => show_all(ctx, client.groups().await?).await,
        Directory::Industries => show_all(ctx, client.industries().await?).await,
        Directory::Categories => show_all(ctx, client.lead_categories().await?).await,
        Directory::Defaults => show(ctx, client.lead_defaults().await?).await,
        Directory::Integration { all: false } => show(ctx, client.integration().await?).await,
        Directory::Integration { all: true } => show_all(ctx, client.integrations().await?).await,
        Directory::CheckCredentials => {
            let key = ctx.clients.conversion_key()?;
            match client.check_credentials(&key).await? {
                true => show(ctx, serde_json::json!({"valid": true})).await,
                false => Err(CliError::config(
                    "the Zenvia Conversion API key is not valid",
                )),
            }
        }
        Directory::Selection {
            id,
            fields,
            page_size,
        } => {
            let rows = client.contacts_selection(&id, fields, page_size);
            export(
                ctx.open(Columns::Schema(Api::Conversion, "Prospect"))?,
                rows,
            )
            .await
        }
    }
}

/// `cxkit conversion agent …`
pub(super) async fn agent(
    ctx: &Context<'_>,
    client: &Client,
    command: AgentCommand,
) -> Result<(), CliError> {
    match command {
        AgentCommand::ResponseTime { id } => {
            show(ctx, client.agent_response_time(&id).await?).await
        }
        AgentCommand::Working { id } => show(ctx, client.agent_is_working(&id).await?).await,
    }
}

/// `cxkit conversion group …`
pub(super) async fn group(
    ctx: &Context<'_>,
    client: &Client,
    command: GroupCommand,
) -> Result<(), CliError> {
    match command {
        GroupCommand::Get { id } => show(ctx, client.group(&id).await?).await,
        GroupCommand::Online { id } => show(ctx, client.online_agents(&id).await?).await,
        GroupCommand::ResponseTime { id } => {
            show(ctx, client.group_response_time(&id).await?).await
        }
        GroupCommand::Working { id } => show(ctx, client.group_is_working(&id).await?).await,
    }
}

/// `cxkit conversion app …`
pub(super) async fn app(
    ctx: &Context<'_>,
    client: &Client,
    command: AppCommand,
) -> Result<(), CliError> {
    match command {
        AppCommand::Event { body: given } => client.send_app_event(body(&given)?).await?,
        AppCommand::Notify { body: given } => client.send_app_notification(body(&given)?).await?,
    }
    show(ctx, serde_json::json!({"sent": true})).await
}
