//! Every operation of the spec, as a table: method, path and a valid call, for the checks
//! that must hold on all of them (typed vendor errors, which requests are retried, where the
//! credential goes).

use super::*;

macro_rules! operations {
    ($($name:ident: $method:ident $path:expr => |$c:ident| $send:expr;)*) => {
        /// One operation of `specs/conversion.yaml`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub(crate) enum Op { $($name,)* }

        /// Every operation of the spec.
        pub(crate) const ALL: &[Op] = &[$(Op::$name,)*];

        impl Op {
            pub(crate) fn method(self) -> Method {
                match self { $(Op::$name => $method,)* }
            }

            /// The path [`Op::send`] requests.
            pub(crate) fn path(self) -> String {
                match self { $(Op::$name => ($path).to_string(),)* }
            }

            /// Sends the operation with a valid body and the ids of [`Op::path`].
            pub(crate) async fn send(self, client: &Client) -> Result<Value, Error<types::Error>> {
                match self {
                    $(Op::$name => {
                        let $c = client;
                        Ok(to_json(&$send.await?.into_inner()))
                    })*
                }
            }
        }
    };
}

operations! {
    // Leads
    CreateRetailLead: POST "/lead/retail" => |c| c.create_retail_lead().body(typed::<types::RetailLead>(retail_lead())).send();
    CreateVehicleLead: POST "/lead/vehicle" => |c| c.create_vehicle_lead().body(typed::<types::VehicleLead>(fixture("conversion/lead.vehicle.json"))).send();
    CreateInsuranceLead: POST "/lead/insurance" => |c| c.create_insurance_lead().body(typed::<types::InsuranceLead>(insurance_lead())).send();
    CreateSavingPlanLead: POST "/lead/saving-plan" => |c| c.create_saving_plan_lead().body(typed::<types::SavingPlanLead>(saving_plan_lead())).send();
    CreateRealEstateLead: POST "/lead/real-estate" => |c| c.create_real_estate_lead().body(typed::<types::RealEstateLead>(real_estate_lead())).send();
    ListLeadCategories: GET "/leads/categories" => |c| c.list_lead_categories().send();
    GetLeadDefaults: GET "/leads/defaults" => |c| c.get_lead_defaults().send();
    // Prospects
    ListProspects: GET "/prospects" => |c| c.list_prospects().send();
    GetProspect: GET format!("/prospect/{PROSPECT_ID}") => |c| c.get_prospect().prospect_id(PROSPECT_ID).send();
    UpdateProspect: PATCH format!("/prospect/{PROSPECT_ID}") => |c| c.update_prospect().prospect_id(PROSPECT_ID).body(typed::<types::UpdateProspect>(prospect_update())).send();
    DeleteProspect: DELETE format!("/prospect/{PROSPECT_ID}") => |c| c.delete_prospect().prospect_id(PROSPECT_ID).send();
    TransferProspect: POST format!("/prospect/{PROSPECT_ID}/transfer") => |c| c.transfer_prospect().prospect_id(PROSPECT_ID).body(typed::<types::Transfer>(json!({"group": GROUP_ID}))).send();
    UpdateProspectAdditionalData: PATCH format!("/prospect/{PROSPECT_ID}/additionalData") => |c| c.update_prospect_additional_data().prospect_id(PROSPECT_ID).body(typed::<types::UpdateAdditionalData>(additional_data_update())).send();
    ListProspectAdditionalFields: GET format!("/prospect/{PROSPECT_ID}/prospectAdditionalFields") => |c| c.list_prospect_additional_fields().prospect_id(PROSPECT_ID).send();
    CreateCsat: POST format!("/prospect/{PROSPECT_ID}/csat") => |c| c.create_csat().prospect_id(PROSPECT_ID).body(typed::<types::Csat>(csat())).send();
    GetContactsSelection: GET format!("/contacts/selection/{SELECTION_ID}") => |c| c.get_contacts_selection().selection_id(SELECTION_ID).send();
    DeprecatedListArchivingReasons: GET "/archiving-reasons" => |c| c.deprecated_list_archiving_reasons().agent(AGENT_ID).send();
    // Interactions
    ListProspectInteractions: GET format!("/prospect/{MERGED_ID}/interactions") => |c| c.list_prospect_interactions().prospect_id(MERGED_ID).send();
    CreateProspectInteraction: POST format!("/prospect/{MERGED_ID}/interactions") => |c| c.create_prospect_interaction().prospect_id(MERGED_ID).body(typed::<types::NewEvent>(fixture("conversion/new_event.note.json"))).send();
    GetProspectInteraction: GET format!("/prospect/{MERGED_ID}/interaction/{INTERACTION_ID}") => |c| c.get_prospect_interaction().prospect_id(MERGED_ID).interaction_id(INTERACTION_ID).send();
    UpdateProspectInteraction: PUT format!("/prospect/{MERGED_ID}/interaction/{INTERACTION_ID}") => |c| c.update_prospect_interaction().prospect_id(MERGED_ID).interaction_id(INTERACTION_ID).body(typed::<types::UpdateEvent>(message_status_update())).send();
    ListInteractions: GET "/prospects/interactions" => |c| c.list_interactions().send();
    // Quotes
    ListProspectQuotes: GET format!("/prospect/{MERGED_ID}/quotes") => |c| c.list_prospect_quotes().prospect_id(MERGED_ID).send();
    CreateProspectQuote: POST format!("/prospect/{MERGED_ID}/quotes") => |c| c.create_prospect_quote().prospect_id(MERGED_ID).body(typed::<types::NewQuote>(new_quote())).send();
    GetProspectQuote: GET format!("/prospect/{MERGED_ID}/quote/{QUOTE_ID}") => |c| c.get_prospect_quote().prospect_id(MERGED_ID).quote_id(QUOTE_ID).send();
    UpdateProspectQuote: PUT format!("/prospect/{MERGED_ID}/quote/{QUOTE_ID}") => |c| c.update_prospect_quote().prospect_id(MERGED_ID).quote_id(QUOTE_ID).body(typed::<types::UpdateQuote>(json!({"status": "accepted"}))).send();
    ListQuotes: GET "/prospects/quotes" => |c| c.list_quotes().send();
    // Acting as the integration's user
    ArchiveProspectAsUser: POST format!("/prospect/{PROSPECT_ID}/as-user/archive") => |c| c.archive_prospect_as_user().prospect_id(PROSPECT_ID).body(typed::<types::ArchiveProspect>(json!({"archivingReason": "converted"}))).send();
    ListArchivingReasons: GET "/as-user/archiving-reasons" => |c| c.list_archiving_reasons().send();
    ListProspectLabels: GET "/as-user/labels" => |c| c.list_prospect_labels().send();
    GetTransferable: GET "/as-user/transfer" => |c| c.get_transferable().send();
    LabelProspect: POST format!("/prospect/{PROSPECT_ID}/as-user/label") => |c| c.label_prospect().prospect_id(PROSPECT_ID).body(typed::<types::LabelProspect>(json!({"label": "hot"}))).send();
    TransferProspectAsUser: POST format!("/prospect/{PROSPECT_ID}/as-user/transfer") => |c| c.transfer_prospect_as_user().prospect_id(PROSPECT_ID).body(typed::<types::Transfer>(json!({"user": AGENT_ID}))).send();
    // Messaging
    ListChannels: GET "/messaging/channels" => |c| c.list_channels().send();
    ListProspectChannels: GET format!("/prospect/{MERGED_ID}/messaging/channels") => |c| c.list_prospect_channels().prospect_id(MERGED_ID).send();
    SendMessage: POST format!("/prospect/{MERGED_ID}/messaging/{CHANNEL}") => |c| c.send_message().prospect_id(MERGED_ID).channel(CHANNEL).body(typed::<types::NewMessage>(json!({"content": "Olá!"}))).send();
    SendFile: POST format!("/prospect/{MERGED_ID}/messaging/{CHANNEL}/send-file") => |c| c.send_file(MERGED_ID, CHANNEL, file_part());
    SendTemplateMessage: POST format!("/prospect/{MERGED_ID}/messaging/{CHANNEL}/notification") => |c| c.send_template_message().prospect_id(MERGED_ID).channel(CHANNEL).body(typed::<types::NewTemplateMessage>(template_message())).send();
    ListProspectOrders: GET format!("/prospect/{MERGED_ID}/orders") => |c| c.list_prospect_orders().prospect_id(MERGED_ID).send();
    // Notifications
    ListTopics: GET "/notifications/topics" => |c| c.list_topics().send();
    ListSubscriptions: GET "/notifications/subscriptions" => |c| c.list_subscriptions().send();
    CreateSubscription: POST "/notifications/subscriptions" => |c| c.create_subscription().body(typed::<types::NewSubscription>(new_subscription())).send();
    DeleteSubscriptions: DELETE "/notifications/subscriptions" => |c| c.delete_subscriptions().send();
    GetSubscription: GET format!("/notifications/subscription/{SUBSCRIPTION_ID}") => |c| c.get_subscription().subscription_id(SUBSCRIPTION_ID).send();
    DeleteSubscription: DELETE format!("/notifications/subscription/{SUBSCRIPTION_ID}") => |c| c.delete_subscription().subscription_id(SUBSCRIPTION_ID).send();
    // Directory
    ListAgents: GET "/agents" => |c| c.list_agents().group(GROUP_ID).send();
    GetAgentResponseTime: POST format!("/agents/{AGENT_ID}/response-time") => |c| c.get_agent_response_time().agent_id(AGENT_ID).send();
    IsAgentWorking: GET format!("/agents/{AGENT_ID}/is-working") => |c| c.is_agent_working().agent_id(AGENT_ID).send();
    ListGroups: GET "/groups" => |c| c.list_groups().send();
    GetGroup: GET format!("/group/{GROUP_ID}") => |c| c.get_group().group_id(GROUP_ID).send();
    GetOnlineAgents: GET format!("/group/{GROUP_ID}/agents/online") => |c| c.get_online_agents().group_id(GROUP_ID).send();
    GetGroupResponseTime: POST format!("/groups/{GROUP_ID}/response-time") => |c| c.get_group_response_time().group_id(GROUP_ID).send();
    IsGroupWorking: GET format!("/groups/{GROUP_ID}/is-working") => |c| c.is_group_working().group_id(GROUP_ID).send();
    ListIndustries: GET "/industries" => |c| c.list_industries().send();
    // Integration and custom apps
    CheckCredentials: GET "/checkCredentials" => |c| c.check_credentials().api_key(CHECKED_KEY).send();
    GetIntegration: GET "/integration" => |c| c.get_integration().send();
    ListIntegrations: GET "/integrations" => |c| c.list_integrations().send();
    SendAppEvent: POST "/apps/event" => |c| c.send_app_event().body(typed::<types::CustomEvent>(custom_event())).send();
    SendNotification: POST "/apps/notifications" => |c| c.send_notification().body(typed::<types::NotificationData>(notification_data())).send();
}

/// The lead operations.
pub(crate) const LEADS: [Op; 5] = [
    Op::CreateRetailLead,
    Op::CreateVehicleLead,
    Op::CreateInsuranceLead,
    Op::CreateSavingPlanLead,
    Op::CreateRealEstateLead,
];

impl Op {
    /// Whether the runtime may send it again: only idempotent methods.
    pub(crate) fn is_write(self) -> bool {
        matches!(self.method(), POST | PATCH)
    }

    /// The `api-key` the request carries: the client's, the one being checked
    /// (`check_credentials` takes it as a parameter), or none (`send_app_event` carries its key
    /// in the body): the spec declares both `security: []`.
    pub(crate) fn api_key(self) -> Option<&'static str> {
        match self {
            Op::CheckCredentials => Some(CHECKED_KEY),
            Op::SendAppEvent => None,
            _ => Some(KEY),
        }
    }

    /// Matches this operation's method, path and credential placement.
    pub(crate) fn expect(self, when: httpmock::When) -> httpmock::When {
        let when = when.method(self.method()).path(self.path());
        match self.api_key() {
            Some(key) => when
                .query_param("api-key", key)
                .query_param_count("api-key", ".*", 1),
            None => when.query_param_missing("api-key"),
        }
    }
}

#[test]
fn the_table_has_every_operation_of_the_spec_once() {
    let spec = cxkit_tests::spec("conversion");
    let documented: std::collections::BTreeSet<String> = spec
        .operations()
        .map(|(path, method, _)| format!("{} {path}", method.to_uppercase()))
        .collect();
    assert_eq!(documented.len(), 59, "the vendor's reference 1.10.0 has 59");
    let tabled: std::collections::BTreeSet<String> = ALL
        .iter()
        .map(|op| format!("{} {}", op.method(), template_of(&op.path())))
        .collect();
    assert_eq!(tabled.len(), ALL.len(), "no operation twice");
    assert_eq!(tabled, documented);
}

/// `/prospect/65d4…/quote/65e9…` → `/prospect/{prospectId}/quote/{quoteId}`.
fn template_of(path: &str) -> String {
    let named = [
        (PROSPECT_ID, "{prospectId}"),
        (MERGED_ID, "{prospectId}"),
        (INTERACTION_ID, "{interactionId}"),
        (SUBSCRIPTION_ID, "{subscriptionId}"),
        (QUOTE_ID, "{quoteId}"),
        (SELECTION_ID, "{selectionId}"),
        (CHANNEL, "{channel}"),
    ];
    let mut out = path.to_owned();
    for (value, name) in named {
        out = out.replace(value, name);
    }
    // Agent and group ids appear under two spellings of their parameter.
    out = out.replace(&format!("/agents/{AGENT_ID}"), "/agents/{agentId}");
    out = out.replace(&format!("/{GROUP_ID}"), "/{groupId}");
    out
}
